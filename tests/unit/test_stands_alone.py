"""The repository stands alone: a user's fresh clone has no folder beside it."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The folder's name is spelled backwards so that this file (and any search for it) does not find itself.
_NAME = "derahs"[::-1]
FORBIDDEN = ("../" + _NAME, _NAME + "/stripe")
FOLDERS = ("shop", "tests", "scripts", "bench", ".ci")


def files_mentioning_the_folder_beside(repo: Path) -> list[str]:
    found = []
    for folder in FOLDERS:
        for path in sorted((repo / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix in {".mo", ".pyc", ".png", ".jpg", ".webp"}:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(word in text for word in FORBIDDEN):
                found.append(str(path.relative_to(repo)))
    return found


def test_nothing_in_the_repository_reads_the_folder_beside_it():
    assert files_mentioning_the_folder_beside(REPO) == []


def test_the_check_finds_a_mention(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x.py").write_text('FIXTURES = "' + FORBIDDEN[0] + '/stripe/fixtures3.json"\n')
    assert files_mentioning_the_folder_beside(tmp_path) == ["tests/x.py"]


def test_stripe_fixtures_ship_with_their_licence():
    folder = REPO / "tests" / "stripe_fixtures"
    assert "MIT License" in (folder / "LICENSE").read_text()
    assert (folder / "fixtures.json").is_file()
