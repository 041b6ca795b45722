"""Who may touch what: staff see and change their own centre's rows, admins everything.

Every back-office query goes through `scoped()`, so a forgotten check still finds nothing.
"""
from __future__ import annotations

from sqlalchemy import Select, false

from shop.models import User
from shop.services.errors import NotYourCentre


def scoped(stmt: Select, actor: User, centre_column) -> Select:
    if actor.is_admin:
        return stmt
    if actor.role != "staff" or actor.centre_id is None:
        return stmt.where(false())
    return stmt.where(centre_column == actor.centre_id)


def require_centre(actor: User, centre_id: int | None) -> None:
    if actor.is_admin:
        return
    if actor.role != "staff" or centre_id is None or centre_id != actor.centre_id:
        raise NotYourCentre()
