"""Pooled connections are checked before use only after sitting idle (shop/ops/pool.py)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db


@pytest.fixture
def make_app(backend, tmp_path):
    if not backend.startswith("postgresql"):
        pytest.skip("a dropped server connection is a PostgreSQL matter")
    made = []

    def make(**settings):
        config = TestConfig(backend, str(tmp_path))
        for name, value in settings.items():
            setattr(config, name, value)
        made.append(create_app(config))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _drop_the_pooled_connection(app) -> int:
    """Use one connection, put it back in the pool, and have the server end it (as a restart would)."""
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()
        admin = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
    return pid


def _backend_pid(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        finally:
            db.session.remove()


def _the_next_statement_fails(app) -> None:
    """The pooled connection went out unchecked: its first statement meets the closed socket."""
    with app.app_context(), pytest.raises(sa.exc.OperationalError):
        try:
            db.session.scalar(sa.text("SELECT 1"))
        finally:
            db.session.remove()


def test_a_connection_idle_past_the_limit_is_checked_and_replaced_when_the_server_dropped_it(make_app):
    app = make_app(DATABASE_PING_IDLE_SECONDS=0)
    dropped = _drop_the_pooled_connection(app)
    assert _backend_pid(app) != dropped  # the ping found it dead; the pool opened a new one
    assert app.test_client().get("/readyz").status_code == 200


def test_a_connection_in_steady_use_is_not_pinged(make_app):
    """The round trip is saved: a connection used a moment ago goes out unchecked. (This is the
    trade the README states: a restart under load fails the request in flight, then heals.)"""
    app = make_app(DATABASE_PING_IDLE_SECONDS=3600)
    _drop_the_pooled_connection(app)
    _the_next_statement_fails(app)
    assert _backend_pid(app)  # the failure threw the dead connections away; the next one is new


def test_with_pre_ping_off_nothing_is_checked(make_app):
    app = make_app(DATABASE_PRE_PING=False, DATABASE_PING_IDLE_SECONDS=0)
    _drop_the_pooled_connection(app)
    _the_next_statement_fails(app)


def test_apps_on_one_engine_listen_once_and_the_last_sets_the_idle_time(backend, tmp_path):
    from shop.ops.pool import init_idle_ping

    config = TestConfig(backend, str(tmp_path))
    config.DATABASE_PING_IDLE_SECONDS = 30
    app = create_app(config)
    with app.app_context():
        engine = db.engine
        listeners = len(engine.pool.dispatch.checkout)
        app.config["DATABASE_PING_IDLE_SECONDS"] = 5
        init_idle_ping(app)  # as an app made later on the same engine does
        assert len(engine.pool.dispatch.checkout) == listeners
        assert engine.shop_idle_ping == {"on": True, "idle_seconds": 5.0}
        engine.dispose()
