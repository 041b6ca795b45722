"""The layers hold: import-linter's contracts pass, and they do fail when a service imports a blueprint."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(folder / "pyproject.toml")],
                          cwd=folder, capture_output=True, text=True, timeout=120)


def copy_of_the_shop(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "shop", tmp_path / "shop", ignore=shutil.ignore_patterns("__pycache__", "*.mo", "translations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layer_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_service_importing_a_blueprint_breaks_the_contracts(tmp_path):
    copy = copy_of_the_shop(tmp_path)
    lifecycle = copy / "shop" / "services" / "ordering" / "lifecycle.py"
    lifecycle.write_text(lifecycle.read_text() + "\nfrom shop.storefront import bp  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "shop.services.ordering.lifecycle -> shop.storefront" in result.stdout


def test_the_lifecycle_importing_a_payment_method_breaks_the_contracts(tmp_path):
    copy = copy_of_the_shop(tmp_path)
    lifecycle = copy / "shop" / "services" / "ordering" / "lifecycle.py"
    lifecycle.write_text(lifecycle.read_text() + "\nfrom shop.services.payments import promptpay  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0 and "The order's lifecycle never imports a payment method BROKEN" in result.stdout
