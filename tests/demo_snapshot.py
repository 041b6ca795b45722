"""The demo catalogue for the tests: seeded for real once per test process and backend, then copied.

`seed_demo` costs about 0.35 s (the catalogue through the ORM and some 290 picture files), and
hundreds of tests start from it. The first test of a process on a backend seeds for real, and what
the seed left is kept: the rows of every table it filled, how far it moved the catalogue counters
(catalog_version, which the tests keep), and its media files (in memory). Each later test gets
the same rows by Core inserts (ids included, and PostgreSQL's sequences moved past them as the
seed leaves them), the counters moved as far, and the files written again. Times the seed took
from the clock (default created_at/updated_at) are given the time of the copy, as a seed at that
moment would; fixed times (the demo products' dates) are kept.

The copy is taken only onto an empty shop (no rows but the kept tables, no sequence used, no
media file), where a real seed always leaves the same; anywhere else the real seed runs.
tests/unit/test_demo_snapshot.py checks that a copy leaves exactly what a real seed leaves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from shop.extensions import db
from shop.models import CatalogVersion
from shop.models._base import utcnow
from shop.services.demo.seed import seed_demo
from tests.conftest import KEEP_TABLES

# The sequences of the emptied tables that have handed out an id (PostgreSQL).
_USED_SEQUENCES = sa.text("""
    SELECT count(*)
    FROM pg_class s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_sequences ps ON ps.schemaname = current_schema() AND ps.sequencename = s.relname
    WHERE s.relkind = 'S' AND t.relname = ANY(:tables) AND ps.last_value IS NOT NULL
""")


def emptied_tables() -> list[sa.Table]:
    """The tables emptied between tests, dependencies first."""
    return [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]


def _counters() -> dict[int, int]:
    table = CatalogVersion.__table__
    return dict(db.session.execute(sa.select(table.c.id, table.c.version)).all())  # type: ignore[arg-type]


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_empty(media_folder: str | Path) -> bool:
    """No rows but the kept tables', no id handed out since the tables were emptied, no media file."""
    folder = Path(media_folder)
    if folder.exists() and any(folder.iterdir()):
        return False
    tables = emptied_tables()
    conn = db.session.connection()
    if conn.execute(sa.select(sa.or_(*(sa.exists().select_from(t) for t in tables)))).scalar():
        return False
    if conn.dialect.name == "postgresql":
        return not conn.execute(_USED_SEQUENCES, {"tables": [t.name for t in tables]}).scalar()
    return True


@dataclass
class DemoSnapshot:
    """What seed_demo left on an empty shop, to be copied onto another empty shop."""

    rows: dict[str, list[dict[str, Any]]]  # table name -> its rows, tables in dependency order
    counters: dict[int, int]  # catalog_version row -> how far the seed moved it
    files: dict[str, bytes]  # the media files: path in the folder -> contents
    clock: set[tuple[str, str]] = field(default_factory=set)  # (table, column) holding times taken from the clock

    @classmethod
    def take(cls, media_folder: str | Path) -> DemoSnapshot:
        """Seed for real (onto an empty shop) and keep what the seed left."""
        before = _counters()
        started = utcnow()
        seed_demo(str(media_folder))
        finished = utcnow()
        after = _counters()
        rows: dict[str, list[dict[str, Any]]] = {}
        clock: set[tuple[str, str]] = set()
        for table in emptied_tables():
            found = [dict(row) for row in db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()]
            if not found:
                continue
            rows[table.name] = found
            for row in found:
                for name, value in row.items():
                    if isinstance(value, datetime) and started <= _as_utc(value) <= finished:
                        clock.add((table.name, name))
        for table_name, name in clock:  # a column is the clock's in every row, or the copy could not be right
            for row in rows[table_name]:
                value = row[name]
                if not (isinstance(value, datetime) and started <= _as_utc(value) <= finished):
                    raise AssertionError(f"{table_name}.{name} holds the clock's time in some demo rows, not all")
        folder = Path(media_folder)
        files = {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
        counters = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
        return cls(rows=rows, counters=counters, files=files, clock=clock)

    def restore(self, media_folder: str | Path) -> None:
        """The same rows, counters and files as the seed left (onto an empty shop)."""
        now = utcnow()
        conn = db.session.connection()
        for table in emptied_tables():
            rows = self.rows.get(table.name)
            if not rows:
                continue
            columns = {name for table_name, name in self.clock if table_name == table.name}
            if columns:  # as the ORM's default would give them now
                rows = [{**row, **dict.fromkeys(columns, now)} for row in rows]
            conn.execute(table.insert(), rows)
            ident = table.autoincrement_column
            if ident is not None and conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(table.name, ident.name),
                                                      max(row[ident.name] for row in rows))))
        versions = CatalogVersion.__table__
        for key, moved in sorted(self.counters.items()):
            conn.execute(sa.update(versions).where(versions.c.id == key).values(version=versions.c.version + moved))
        db.session.commit()
        folder = Path(media_folder)  # written afresh (not copied: shutil.copytree takes ten times as long)
        for parent in sorted({Path(name).parent for name in self.files}):
            (folder / parent).mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (folder / name).write_bytes(data)


class DemoSnapshots:
    """One snapshot per backend (database URL), taken by the first test of the process that seeds."""

    def __init__(self) -> None:
        self.taken: dict[str, DemoSnapshot] = {}

    def seed(self, media_folder: str | Path) -> None:
        """As seed_demo(media_folder) leaves the shop: copied where the shop is empty, else for real."""
        if not is_empty(media_folder):
            seed_demo(str(media_folder))
            return
        key = db.engine.url.render_as_string(hide_password=False)
        snapshot = self.taken.get(key)
        if snapshot is None:
            self.taken[key] = DemoSnapshot.take(media_folder)
        else:
            snapshot.restore(media_folder)
