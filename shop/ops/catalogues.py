"""The compiled translation catalogues (.mo) must exist and be newer than their .po files.

Without them Flask-Babel silently serves the English source strings under `lang="th"`, so
the shop refuses to start instead (create_app), and `flask doctor` says the same.
"""
from __future__ import annotations

from pathlib import Path

from shop.config import BASE_DIR

TRANSLATIONS = BASE_DIR / "shop" / "translations"
COMPILE_COMMAND = ".venv/bin/pybabel compile -d shop/translations"


def catalogue_problems(folder: Path | None = None) -> list[str]:
    """One sentence per catalogue that is missing or older than its .po file; empty when all is well."""
    folder = folder or TRANSLATIONS
    problems = []
    po_files = sorted(folder.glob("*/LC_MESSAGES/messages.po"))
    if not po_files:
        problems.append(f"no translation catalogues (.po) under {folder}")
    for po in po_files:
        mo = po.with_suffix(".mo")
        name = po.parent.parent.name
        if not mo.exists():
            problems.append(f"the {name} catalogue is not compiled ({mo} is missing)")
        elif mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(f"the {name} catalogue is older than its translations ({mo} predates {po.name})")
    return problems


def require_compiled_catalogues(folder: Path | None = None) -> None:
    """Stop the start-up with a clear message rather than serve English under a Thai page."""
    problems = catalogue_problems(folder)
    if problems:
        raise RuntimeError(
            "Relearn Shop will not start: " + "; ".join(problems) + ". Compile the translations with "
            f"`{COMPILE_COMMAND}` (scripts/setup.sh does it), then start the shop again."
        )
