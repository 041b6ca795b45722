#!/usr/bin/env bash
# Set up a development machine: a virtualenv in .venv with the shop's packages, and the
# compiled translations. Safe to run again. Usage: bash scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || { echo "Please install: $*" >&2; return 1; }
  if [ ! -f /tmp/.relearn-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.relearn-apt-updated; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Relearn Shop needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1 || echo none))." >&2
  echo "On Debian/Ubuntu: sudo apt-get install python3 python3-venv" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv in .venv"
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "==> python3-venv is missing; installing it"
    apt_install python3-venv
    "$PYTHON" -m venv .venv
  fi
fi

# Receipts, credit notes and statements are PDFs made by WeasyPrint on Debian's Pango, in Thai fonts.
if ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" || ! fc-list 2>/dev/null | grep -qi "laksaman\|sarabun"; then
  echo "==> Installing Pango and Thai fonts for the PDF documents"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-thai-tlwg \
    || echo "Could not install Pango or the Thai fonts; receipts and statements cannot be made as PDF." >&2
fi

requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt
echo "==> Installing Python packages ($requirements)"
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"

echo "==> Compiling translations"
.venv/bin/pybabel compile -d shop/translations --statistics 2>&1 | tail -1
