"""Gap-free document numbers: one counter row per type and Buddhist Era year.

The counter moves with one atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) in the
caller's transaction. The row stays locked until that transaction ends, so two payments take
numbers one after the other, and a transaction that rolls back gives its number back with it.
"""
from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.extensions import db
from shop.models import DocumentCounter


def next_number(doc_type: str, year: int) -> int:
    """The next number of this type and year, inside the caller's (writing) transaction."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, DocumentCounter.__table__)
    first = insert(table).values(doc_type=doc_type, year=year, last_number=1)
    bump = first.on_conflict_do_update(index_elements=["doc_type", "year"], set_={"last_number": table.c.last_number + 1})
    return int(db.session.execute(bump.returning(table.c.last_number)).scalar_one())


def format_number(doc_type: str, year: int, sequence: int) -> str:
    """RC2569-000123."""
    return f"{doc_type}{year}-{sequence:06d}"
