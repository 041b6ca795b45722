"""Maintenance mode: an admin closes the storefront for a while; the back office stays open.

The switch is a database row, so every worker and server sees it; each reads it at most
every MAINTENANCE_CHECK_SECONDS, so the check costs nothing on a busy shop.
"""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from shop.extensions import begin_write, db
from shop.models import SiteStatus, User
from shop.models._base import utcnow
from shop.services.errors import DomainError
from shop.services.people import audit


def read_switch(quiet: bool = False) -> bool:
    """The switch as the database has it now (off when the row or the table is not there yet)."""
    try:
        with db.engine.connect() as conn:
            return bool(conn.scalar(select(SiteStatus.maintenance).where(SiteStatus.id == 1)))
    except SQLAlchemyError as error:
        if not quiet:
            current_app.logger.warning("Could not read the maintenance switch: %s", type(error).__name__)
        return False


def remember_switch() -> None:
    """Read the switch as a worker starts, so its first requests pay nothing for it."""
    current_app.extensions["maintenance"] = {"on": read_switch(quiet=True), "read_at": time.monotonic()}


def is_on() -> bool:
    """Whether the storefront is closed, as this worker last read it (at most a few seconds ago)."""
    state = current_app.extensions.setdefault("maintenance", {})
    ttl = float(current_app.config.get("MAINTENANCE_CHECK_SECONDS", 5.0))
    now = time.monotonic()
    if "on" not in state or now - state["read_at"] >= ttl:
        state.update(on=read_switch(), read_at=now)
    return state["on"]


def switch(actor: User, on: bool) -> None:
    """An admin turns maintenance mode on or off (audited)."""
    if not actor.is_admin:
        raise DomainError()
    begin_write()
    status = db.session.get(SiteStatus, 1, with_for_update=True)
    if status is None:
        status = SiteStatus(id=1, maintenance=False)
        db.session.add(status)
    before = status.maintenance
    status.maintenance, status.changed_at, status.changed_by_id = on, utcnow(), actor.id
    audit.record(actor, "maintenance.on" if on else "maintenance.off", None, centre_id=None,
                 before={"maintenance": before}, after={"maintenance": on})
    db.session.commit()
    current_app.extensions["maintenance"] = {"on": on, "read_at": time.monotonic()}


def status() -> SiteStatus | None:
    return db.session.get(SiteStatus, 1)
