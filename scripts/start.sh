#!/usr/bin/env bash
# One command from a fresh clone to a running shop with demo data on SQLite:
#   bash scripts/start.sh        (then open http://127.0.0.1:5000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export FLASK_APP=run.py
# Plain http on this machine: cookies cannot be marked Secure here (production keeps them Secure).
export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0}
echo "==> Building the database schema (migrations)"
.venv/bin/flask db upgrade
echo "==> Loading the demo catalogue"
.venv/bin/flask seed-demo
PORT=${PORT:-5000}
echo "==> Serving Relearn Shop on http://127.0.0.1:${PORT} (Ctrl+C stops it)"
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "$PORT"
