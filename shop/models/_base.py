"""Column helpers shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from shop.extensions import Base, db

# Models subclass Model: Flask-SQLAlchemy's db.Model at run time (session-bound query helpers,
# table names), and its declarative base for the type checker, which cannot see db.Model.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """Aware UTC now; stored as UTC, shown in Asia/Bangkok."""
    return datetime.now(UTC)
