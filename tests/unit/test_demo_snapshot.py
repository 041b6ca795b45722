"""The tests' copied demo catalogue (tests/demo_snapshot.py) is exactly what seed_demo leaves."""
from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import tests.demo_snapshot
from shop.extensions import db
from shop.models import CatalogVersion, Category
from shop.models._base import utcnow
from shop.services.demo.seed import seed_demo
from tests.conftest import KEEP_TABLES, _empty_tables


def _clock_or_value(value: object, since: datetime, until: datetime) -> object:
    """A time taken from the clock while the seed ran, as a mark (the runs differ in it); else the value."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        if since <= aware <= until:
            return "<the clock during the seed>"
    return value


def _state(media: Path, since: datetime, until: datetime) -> dict[str, object]:
    """Every table's rows (but the kept ones), the sequences (PostgreSQL) and the media files."""
    db.session.expire_all()
    state: dict[str, object] = {}
    for table in db.metadata.sorted_tables:
        if table.name not in KEEP_TABLES:
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            state[table.name] = [tuple(_clock_or_value(v, since, until) for v in row) for row in rows]
    if db.engine.dialect.name == "postgresql":
        state["sequences"] = dict(db.session.execute(sa.text(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")).all())
    state["media"] = {path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
                      for path in sorted(media.rglob("*")) if path.is_file()}
    return state


def _counters() -> dict[int, int]:
    return dict(db.session.execute(sa.select(CatalogVersion.id, CatalogVersion.version)).all())  # type: ignore[arg-type]


def _seeded(seed: Callable[[], None], media: Path) -> tuple[dict[str, object], dict[int, int]]:
    """The shop's state after `seed` onto an empty shop, and how far it moved the catalogue counters."""
    db.session.remove()
    _empty_tables()
    shutil.rmtree(media, ignore_errors=True)
    before, since = _counters(), utcnow()
    seed()
    until, after = utcnow(), _counters()
    db.session.commit()
    return _state(media, since, until), {key: after[key] - before[key] for key in after}


def test_a_copied_demo_catalogue_is_what_seed_demo_leaves(app, demo_snapshots, monkeypatch):
    media = Path(app.config["MEDIA_FOLDER"])
    real, real_moved = _seeded(lambda: seed_demo(str(media)), media)
    assert len(real["product"]) >= 40 and len(real["product_image"]) >= 40 and len(real["page_version"]) >= 40
    assert len(real["media"]) >= 200  # type: ignore[arg-type]
    assert any("<the clock during the seed>" in row for row in real["centre"])  # type: ignore[attr-defined]
    assert real_moved[1] > 0 and real_moved[2] > 0  # the lists' and the site's versions

    first, first_moved = _seeded(lambda: demo_snapshots.seed(media), media)  # takes the snapshot, or copies it
    assert (first, first_moved) == (real, real_moved)

    def no_real_seed(*_args, **_kwargs):
        raise AssertionError("seed_demo ran: the snapshot was not copied")

    monkeypatch.setattr(tests.demo_snapshot, "seed_demo", no_real_seed)
    copied, copied_moved = _seeded(lambda: demo_snapshots.seed(media), media)
    assert copied_moved == real_moved
    for part in real:  # part by part, for a readable difference
        assert copied[part] == real[part], part
    assert copied.keys() == real.keys()

    # the next id is the seed's next, on either backend
    category = Category(slug="after-the-demo", name_th="หลังตัวอย่าง", position=99)
    db.session.add(category)
    db.session.commit()
    assert category.id == len(real["category"]) + 1  # type: ignore[arg-type]


@pytest.mark.parametrize("what", ["a row", "a media file"])
def test_the_real_seed_runs_onto_a_shop_that_is_not_empty(app, demo_snapshots, monkeypatch, what):
    media = Path(app.config["MEDIA_FOLDER"])
    demo_snapshots.seed(media)  # the snapshot exists from here on
    db.session.remove()
    _empty_tables()
    shutil.rmtree(media)
    if what == "a row":
        db.session.add(Category(slug="first", name_th="ก่อน", position=0))
        db.session.commit()
    else:
        media.mkdir()
        (media / "kept.jpg").write_bytes(b"not the demo's")
    ran = []
    monkeypatch.setattr(tests.demo_snapshot, "seed_demo", lambda folder: ran.append(folder))
    assert not tests.demo_snapshot.is_empty(media)
    demo_snapshots.seed(media)
    assert ran == [str(media)]
