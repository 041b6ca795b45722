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
    """Ping a pooled connection before use when it has been idle for the set time (see above).

    The listeners go on the app's engine once; an app made later on the same engine (the tests
    share one) sets the idle time they use."""
    with app.app_context():
        engine = db.engine
    settings: dict[str, Any] | None = getattr(engine, "shop_idle_ping", None)
    if settings is None:
        settings = {}
        _listen(engine, settings)
        engine.shop_idle_ping = settings  # type: ignore[attr-defined]
    settings["on"] = bool(app.config.get("DATABASE_PRE_PING", True))
    settings["idle_seconds"] = float(app.config.get("DATABASE_PING_IDLE_SECONDS", 10))


def _listen(engine: sa.Engine, settings: dict[str, Any]) -> None:
    dialect = engine.dialect

    def checked_in(dbapi_connection: Any, record: Any) -> None:  # noqa: ARG001
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:  # noqa: ARG001
        since = record.info.pop("idle_since", None)
        if not settings["on"] or since is None or time.monotonic() - since < settings["idle_seconds"]:
            return  # off, new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool then replaces this connection with a new one (up to three tries).
                raise sa.exc.DisconnectionError(str(error)) from error
            raise

    sa.event.listen(engine, "checkin", checked_in)
    sa.event.listen(engine, "checkout", checked_out)
