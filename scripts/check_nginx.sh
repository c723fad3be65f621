#!/usr/bin/env bash
# Check deploy/nginx/ with `nginx -t`: a copy whose paths point at a throw-away self-signed
# certificate, this checkout and a temporary folder, inside a minimal main configuration.
# Needs nginx and openssl; leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=tracker.example.nhs.uk" \
  -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
for file in deploy/nginx/*.conf; do
  sed -e "s#/etc/ssl/tracker/#$work/#g" -e "s#/opt/tracker/app/#$PWD/#g" -e "s#/var/log/nginx/#$work/#g" \
    "$file" > "$work/$(basename "$file")"
done
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    include $work/tracker.conf;
}
CONF
# The static folders the configuration serves must exist in this checkout.
for folder in tracker/static/nhsuk/assets tracker/static/nhsuk tracker/static; do
  [ -d "$folder" ] || { echo "deploy/nginx/tracker.conf serves $folder, which does not exist" >&2; exit 1; }
done
nginx -t -q -e "$work/error.log" -p "$work" -c "$work/nginx.conf"
echo "deploy/nginx: nginx -t passed ($(nginx -v 2>&1))"
