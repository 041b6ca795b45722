"""The shop never serves English silently under a Thai page: no compiled catalogue, no start."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shop import create_app
from shop.config import TestConfig
from shop.ops import catalogues

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def translations(tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(catalogues.TRANSLATIONS, folder)
    return folder


def thai(folder: Path, suffix: str) -> Path:
    return folder / "th" / "LC_MESSAGES" / f"messages{suffix}"


def test_compiled_and_current_catalogues_have_no_problems(translations):
    assert catalogues.catalogue_problems(translations) == []


def test_the_shop_refuses_to_start_without_the_compiled_thai_catalogue(translations, tmp_path, monkeypatch):
    thai(translations, ".mo").unlink()
    monkeypatch.setattr(catalogues, "TRANSLATIONS", translations)
    with pytest.raises(RuntimeError, match=r"th catalogue is not compiled.*pybabel compile -d shop/translations"):
        create_app(TestConfig(f"sqlite:///{tmp_path / 'x.sqlite3'}", str(tmp_path)))


def test_the_shop_refuses_to_start_when_the_catalogue_is_older_than_its_translations(translations, tmp_path, monkeypatch):
    mo = thai(translations, ".mo")
    later = mo.stat().st_mtime + 60
    os.utime(thai(translations, ".po"), (later, later))  # someone edited the .po and did not compile
    monkeypatch.setattr(catalogues, "TRANSLATIONS", translations)
    with pytest.raises(RuntimeError, match="older than its translations"):
        create_app(TestConfig(f"sqlite:///{tmp_path / 'x.sqlite3'}", str(tmp_path)))


def test_gunicorn_fails_loudly_without_the_compiled_catalogue(translations):
    thai(translations, ".mo").unlink()
    program = (
        "import sys; from pathlib import Path; import shop.ops.catalogues as c; c.TRANSLATIONS = Path(sys.argv[1]); "
        "sys.argv = ['gunicorn', '--check-config', 'run:app']; from gunicorn.app.wsgiapp import run; run()"
    )
    env = {**os.environ, "SESSION_COOKIE_SECURE": "0", "INSTANCE_PATH": str(translations.parent / "instance")}
    done = subprocess.run([sys.executable, "-c", program, str(translations)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "Relearn Shop will not start" in done.stdout + done.stderr
