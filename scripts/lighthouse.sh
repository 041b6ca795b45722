#!/usr/bin/env bash
# Lighthouse (mobile) on the home, catalogue and product pages, Thai and English: SEO and best
# practices, each of which should score 100. Run by hand, from the repo root:
#   bash scripts/lighthouse.sh                 # prints a table, saves the JSON reports
#   VENV=/path/to/venv bash scripts/lighthouse.sh
# It serves a throw-away shop (SQLite, demo data, gunicorn) on 127.0.0.1 and stops it at the end.
# Needs Node 20 (npm) and Debian's chromium; the Lighthouse npm package is installed into
# .cache/lighthouse on first use (12.2.3: newer ones want Node 22).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${VENV:-$ROOT/.venv}
LIGHTHOUSE_VERSION=12.2.3
TOOLS=$ROOT/.cache/lighthouse
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
OUT=${OUT:-$ROOT/test-artifacts/lighthouse}
PORT=${PORT:-$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE=http://127.0.0.1:$PORT
PAGES=(/ /products /products/leaf-printed-cloth /en/ /en/products /en/products/leaf-printed-cloth)

command -v npm >/dev/null || { echo "npm is missing: apt-get install npm" >&2; exit 2; }
[ -x "$CHROME_PATH" ] || { echo "$CHROME_PATH is missing: apt-get install chromium fonts-thai-tlwg" >&2; exit 2; }
if [ ! -x "$TOOLS/node_modules/.bin/lighthouse" ]; then
  echo "==> Installing lighthouse@$LIGHTHOUSE_VERSION into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi

WORK=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export INSTANCE_PATH=$WORK DATABASE_URL=sqlite:///$WORK/shop.sqlite3 MEDIA_FOLDER=$WORK/media
export SECRET_KEY=lighthouse-only PUBLIC_URL=$BASE SESSION_COOKIE_SECURE=0 LOG_LEVEL=WARNING FLASK_APP=run.py
echo "==> A throw-away shop with the demo catalogue on $BASE"
"$VENV/bin/flask" db upgrade >/dev/null 2>&1
"$VENV/bin/flask" seed-demo >/dev/null
"$VENV/bin/gunicorn" --bind "127.0.0.1:$PORT" --workers 1 --threads 4 --log-level warning run:app &
SERVER=$!
for _ in $(seq 50); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

mkdir -p "$OUT"
printf '%-40s %6s %15s\n' "page (mobile)" "SEO" "best practices"
status=0
for path in "${PAGES[@]}"; do
  name=$(echo "$path" | tr '/' '_' | sed 's/^_*//; s/_*$//'); name=${name:-home}
  report=$OUT/$name.json
  "$TOOLS/node_modules/.bin/lighthouse" "$BASE$path" --quiet --only-categories=seo,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" \
    --output=json --output-path="$report" || { echo "lighthouse failed on $path" >&2; status=1; continue; }
  "$VENV/bin/python" - "$report" "$path" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))
scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
print(f"{sys.argv[2]:40s} {scores['seo']:6d} {scores['best-practices']:15d}")
failed = False
for key, category in report["categories"].items():
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            failed = True
            print(f"    {key}: {audit['id']}: {audit['title']}")
sys.exit(1 if failed else 0)
PY
done
echo "Reports: $OUT"
exit $status
