"""The layers hold: import-linter's contracts pass, and they do fail when a service imports a blueprint."""
from __future__ import annotations

import ast
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


# --- Imports at the top, and the reports only read -------------------------------------------

def imports_inside_functions(path: Path) -> list[str]:
    """Imports made inside a function, except those whose line says why in a comment."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom) and "#" not in lines[inner.lineno - 1]:
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    return sorted(set(found))


def test_the_app_factory_the_commands_and_the_back_office_import_at_the_top():
    files = [ROOT / "shop" / "__init__.py", ROOT / "shop" / "cli.py", *sorted((ROOT / "shop" / "backoffice").glob("*.py"))]
    assert [line for path in files for line in imports_inside_functions(path)] == []


def test_the_import_check_finds_an_import_inside_a_function(tmp_path, monkeypatch):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    import json\n    from re import compile  # optional: why\n    return json\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert imports_inside_functions(sample) == ["sample.py:4: import json"]


def test_the_programme_reports_only_read():
    tree = ast.parse((ROOT / "shop" / "services" / "sales" / "reports.py").read_text())
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    writes = {call for call in calls if call in {"begin_write", "db.session.add", "db.session.commit", "db.session.flush",
                                                 "db.session.delete", "db.session.rollback"} or call.startswith(("ledger.", "audit."))}
    assert writes == set()
