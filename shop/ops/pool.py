"""Pooled database connections checked only when they may have gone stale.

SQLAlchemy's `pool_pre_ping` sends a round trip to the database on every checkout, that is on
every request: on a cold product page it was one of five. A connection in steady use cannot
have been dropped unnoticed for long, so the ping is sent only when it has sat idle in the pool
for `DATABASE_PING_IDLE_SECONDS` or more (a restart or a firewall's idle timeout happens while
nobody uses it). A connection broken while in use still fails that one request, and SQLAlchemy
then throws away every pooled connection older than the failure, as it always does.
"""
from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from flask import Flask

from shop.extensions import db


def init_idle_ping(app: Flask) -> None:
    """Ping a pooled connection before use when it has been idle for the set time (see above)."""
    if not app.config.get("DATABASE_PRE_PING", True):
        return
    idle_seconds = float(app.config.get("DATABASE_PING_IDLE_SECONDS", 10))
    with app.app_context():
        engine = db.engine
    dialect = engine.dialect

    def checked_in(dbapi_connection: Any, record: Any) -> None:  # noqa: ARG001
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:  # noqa: ARG001
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool then replaces this connection with a new one (up to three tries).
                raise sa.exc.DisconnectionError(str(error)) from error
            raise

    sa.event.listen(engine, "checkin", checked_in)
    sa.event.listen(engine, "checkout", checked_out)
