"""The one state query of every storefront request (shop/caching.py): its versions, the soonest
stock hold and a workshop's next session, read right on both databases; on PostgreSQL, on its own
prepared connection that a database restart does not break."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from shop import caching, prepared
from shop.extensions import db
from shop.models.catalog import PageVersion
from shop.services.thai import as_utc
from tests.factories import make_centre, make_product
from tests.web.test_workshops_web import add_session_on_the_web, world  # noqa: F401 - the workshop fixture


def _versions(product_id: int | None = None, centre_id: int | None = None) -> tuple[int, int]:
    def version(scope: str) -> int:
        return db.session.scalar(sa.select(PageVersion.version).where(PageVersion.scope == scope)) or 0

    return version(f"product:{product_id}"), version(f"centre:{centre_id}")


def test_the_state_names_the_product_and_centre_and_their_versions(app):
    centre = make_centre("surat-thani")
    product = make_product(centre, slug="leaf-scarf")
    db.session.commit()
    product_version, centre_version = _versions(product.id, centre.id)

    state = caching.read_state("leaf-scarf", "surat-thani")
    assert (state.product_id, state.product_version) == (product.id, product_version)
    assert (state.centre_id, state.centre_version) == (centre.id, centre_version)
    assert isinstance(state.lists, int) and isinstance(state.site, int) and isinstance(state.impact, int)
    assert state.soonest_hold is None and state.next_session is None

    unknown = caching.read_state("no-such-product", "no-such-centre")
    assert (unknown.product_id, unknown.product_version, unknown.centre_id, unknown.centre_version) == (None, 0, None, 0)
    assert (unknown.lists, unknown.site) == (state.lists, state.site)


def test_the_state_gives_the_soonest_hold_and_the_next_session_as_instants(app, world):  # noqa: F811
    from tests.factories import cart_with, place

    _, session = add_session_on_the_web(app, world)
    goods = make_product(world["surat"], slug="leaf-bag", prices=(25000,), stock=5)
    db.session.commit()
    order = place(cart_with((goods.variants[0].id, 1)))
    held_until = as_utc(order.reserved_until)

    state = caching.read_state("leaf-printing-workshop")
    assert state.soonest_hold == held_until and state.soonest_hold.tzinfo is not None
    assert state.next_session == as_utc(session.starts_at)
    assert not caching.overdue(state)


@pytest.fixture
def postgresql_only(backend):
    if not backend.startswith("postgresql"):
        pytest.skip("the state's own prepared connection is PostgreSQL's")


def _thread_state_connection():
    """This thread's state connection to the app's database (a thread may hold others, to other databases)."""
    conn = prepared.app_connection()
    assert conn is not None
    return conn.conn


def _state_backend_pid() -> int:
    return _thread_state_connection().info.backend_pid


def test_the_state_connection_is_replaced_when_the_server_drops_it(app, postgresql_only):
    make_product(make_centre("surat-thani"), slug="leaf-scarf")
    db.session.commit()
    before = caching.read_state("leaf-scarf")
    dropped = _state_backend_pid()
    with db.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    after = caching.read_state("leaf-scarf")  # a restart costs nothing visible: one new connection
    assert after == before
    assert _state_backend_pid() != dropped


def test_a_state_read_after_a_commit_sees_it(app, postgresql_only):
    """Its own autocommit connection: a change committed on the app's connection is seen at once."""
    product = make_product(make_centre("surat-thani"), slug="leaf-scarf")
    db.session.commit()
    before = caching.read_state("leaf-scarf").product_version
    db.session.execute(sa.update(PageVersion).where(PageVersion.scope == f"product:{product.id}")
                       .values(version=PageVersion.version + 1))
    assert caching.read_state("leaf-scarf").product_version == before  # not committed yet
    db.session.commit()
    assert caching.read_state("leaf-scarf").product_version == before + 1


def test_a_session_is_next_until_the_moment_it_starts(app, world, monkeypatch):  # noqa: F811
    """The state's time goes to the database as an instant: a second before a workshop session
    starts it is the next one; at its start it is not (and the product's page key moves)."""
    _, session = add_session_on_the_web(app, world)
    starts = as_utc(session.starts_at)
    monkeypatch.setattr(caching, "now", lambda: starts - timedelta(seconds=1))
    before = caching.read_state("leaf-printing-workshop")
    assert before.next_session == starts
    monkeypatch.setattr(caching, "now", lambda: starts)
    after = caching.read_state("leaf-printing-workshop")
    assert after.next_session is None
    assert before.tag("storefront.product") != after.tag("storefront.product")


def test_a_slug_with_a_nul_in_it_names_nothing(app):
    """libpq would cut a text parameter short at a NUL: "leaf-scarf\\x00x" must not read as "leaf-scarf"."""
    make_product(make_centre("surat-thani"), slug="leaf-scarf")
    db.session.commit()
    assert caching.read_state("leaf-scarf").product_id is not None
    state = caching.read_state("leaf-scarf\x00x", "surat-thani\x00")
    assert (state.product_id, state.centre_id) == (None, None)


def test_a_failed_prepared_statement_gets_a_new_connection_once_then_the_servers_error(app, postgresql_only, monkeypatch):
    """An error the server answers (a plan a migration made stale, say) is tried once more on a new
    connection, with the statement prepared again; a second failure is the server's own error."""
    import psycopg

    make_product(make_centre("surat-thani"), slug="leaf-scarf")
    db.session.commit()
    expected = caching.read_state("leaf-scarf")
    first = _state_backend_pid()
    _thread_state_connection().pgconn.exec_(b"DEALLOCATE shop_state")  # the prepared statement is gone on this connection
    assert caching.read_state("leaf-scarf") == expected
    assert _state_backend_pid() != first

    # A statement the server refuses on every connection: its own error, after one new connection.
    monkeypatch.setattr(caching.STATE, "sql", b"SELECT version FROM no_such_table")
    _thread_state_connection().pgconn.exec_(b"DEALLOCATE shop_state")
    with pytest.raises(psycopg.errors.UndefinedTable):
        caching.read_state("leaf-scarf")
    assert prepared.app_connection() is None  # no broken one kept
