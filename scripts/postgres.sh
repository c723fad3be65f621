#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and make TCP sign-in work for postgres/postgres on
# 127.0.0.1, then create the given databases. Safe to run again and again.
set -euo pipefail
DATABASES=("${@:-test}")
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -q && apt-get install -y -q postgresql
fi
if ! pg_lsclusters -h | awk '$1 == "15" && $2 == "main"' | grep -q .; then
  pg_createcluster 15 main
fi
if ! pg_lsclusters -h | awk '$1 == "15" && $2 == "main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect 15 main start
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
for db in "${DATABASES[@]}"; do
  if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$db'\"" | grep -q 1; then
    su postgres -c "createdb $db"
  fi
done
echo "PostgreSQL 15 is running on 127.0.0.1:5432 with databases: ${DATABASES[*]}"
