#!/usr/bin/env bash
# Static checks, as CI runs them: ruff (style and likely bugs) and mypy (types, the whole shop).
#   bash scripts/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/ruff ] || bash scripts/setup.sh --dev >/dev/null
echo "==> ruff"
.venv/bin/ruff check shop tests bench migrations run.py
echo "==> mypy"
.venv/bin/mypy shop
echo "==> import-linter (layers: blueprints -> services -> models)"
.venv/bin/lint-imports --no-cache
