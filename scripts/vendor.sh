#!/usr/bin/env bash
# Re-fetch the pinned nhsuk-frontend release from the npm registry and copy its compiled
# CSS, JS and assets into tracker/static/nhsuk, so users of the tracker never need Node.
set -euo pipefail
VERSION="${NHSUK_FRONTEND_VERSION:-10.6.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/tracker/static/nhsuk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "nhsuk-frontend@$VERSION" >/dev/null
tar xzf "nhsuk-frontend-$VERSION.tgz"
rm -rf "$DEST"
mkdir -p "$DEST"
# The Frutiger files are licensed and not in the package: drop the @font-face rules that would ask
# assets.nhs.uk for them, so pages use the fallback font stack with no failed request. An
# organisation holding the licence self-hosts the files (README, "The NHS font").
python3 - "package/dist/nhsuk/nhsuk-frontend.min.css" "$DEST/nhsuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(re.sub(r"@font-face\{[^}]*\}", "", css))
PY
cp "package/dist/nhsuk/nhsuk-frontend.min.js" "$DEST/"
cp -r "package/dist/nhsuk/assets" "$DEST/assets"
cp package/LICENSE* "$DEST/" 2>/dev/null || true
echo "$VERSION" > "$DEST/VERSION"
echo "Vendored nhsuk-frontend $VERSION into tracker/static/nhsuk"
