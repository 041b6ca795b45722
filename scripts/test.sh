#!/usr/bin/env bash
# The whole test suite, on SQLite and PostgreSQL, browser tests included:
#   bash scripts/test.sh [pytest arguments]
# Installs what it needs: the Python packages, and Debian's chromium and Thai fonts.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --dev

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/zbarimg ] || [ ! -x /usr/bin/pdftotext ] || ! fc-list 2>/dev/null | grep -qi "loma\|garuda\|tlwg"; then
  echo "==> Installing Chromium, Thai fonts, a QR reader and pdftotext for the tests"
  apt_install chromium fonts-thai-tlwg zbar-tools poppler-utils libpango-1.0-0 libpangoft2-1.0-0 \
    || echo "Could not install chromium; browser tests will be skipped (they fail under CI=true)." >&2
fi

if [ ! -x /usr/bin/caddy ]; then
  echo "==> Installing Caddy for the deploy/ tests (caddy validate)"
  apt_install caddy || echo "Could not install caddy; its tests will be skipped (they fail under CI=true)." >&2
fi

# PostgreSQL: the suite makes its own database on the server it is given. Where none answers
# on 127.0.0.1:5432 and we may install packages, set up a local one.
if [ -z "${TEST_DATABASE_URL:-}" ] && ! .venv/bin/python - <<'PY' 2>/dev/null
import socket; socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
PY
then
  echo "==> No PostgreSQL on 127.0.0.1:5432; installing a local one"
  if apt_install postgresql; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" || true
    export TEST_DATABASE_URL=postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres
  fi
fi

if ! command -v pg_dump >/dev/null; then
  echo "==> Installing the PostgreSQL client tools for the backup tests (pg_dump, pg_restore)"
  apt_install postgresql-client || echo "Could not install pg_dump; the backup test will be skipped (it fails under CI=true)." >&2
fi

echo "==> Running the tests"
# Spread over the machine's cores (pytest-xdist); a run of chosen tests can pass -n 0.
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" "$@"
