"""Column helpers shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC now; stored as UTC, shown in Asia/Bangkok."""
    return datetime.now(UTC)
