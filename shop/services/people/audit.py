"""Writing the audit log, inside the caller's transaction."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from shop.extensions import db
from shop.models import AuditEntry, User


def record(actor: User | None, action: str, obj: Any = None, *, centre_id: int | None = None,
           before: dict | None = None, after: dict | None = None) -> None:
    db.session.add(
        AuditEntry(
            user_id=actor.id if actor else None,
            centre_id=centre_id if centre_id is not None else getattr(obj, "centre_id", None),
            action=action,
            object_type=type(obj).__name__.lower() if obj is not None else "",
            object_id=getattr(obj, "id", None),
            before=json.dumps(before, ensure_ascii=False, default=str) if before else "",
            after=json.dumps(after, ensure_ascii=False, default=str) if after else "",
        )
    )


def entries(actor: User, limit: int = 200) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if not actor.is_admin:
        stmt = stmt.where(AuditEntry.centre_id == actor.centre_id)
    return list(db.session.scalars(stmt))
