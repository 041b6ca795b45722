"""What "place order" costs in SQL statements, for the whole request (POST /checkout/place).

In a rush for the last units nearly every buyer is too late: they must be refused after a few
reads and no write or lock, and the buyer who gets a unit must do the reads before the write
transaction. The counts are of the statements SQLAlchemy runs (no BEGIN, COMMIT or ROLLBACK);
the one catalogue-state query every storefront request makes (shop/caching.py) is left out, as
on PostgreSQL it runs on its own connection.
"""
import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Variant
from tests.factories import make_centre, make_product
from tests.web.helpers import ADDRESS, CSRF, flashed, post_form

WRITES = ("INSERT", "UPDATE", "DELETE")


def _statements(statements: list[str]) -> list[str]:
    """The request's own statements, without the catalogue-state query."""
    return [s for s in statements if "catalog_version.version" not in s or not s.lstrip().upper().startswith("SELECT")]


def _review(client, variant_id: int) -> dict[str, str]:
    """Put one unit in the cart, fill in the details and return the review page's form."""
    assert post_form(client, "/cart/add", {"variant_id": str(variant_id), "quantity": "1"}).status_code == 303
    assert post_form(client, "/checkout", ADDRESS, token_from="/checkout").status_code == 303
    review = client.get("/checkout/review").get_data(as_text=True)
    return {
        "csrf_token": CSRF.search(review).group(1),
        "token": re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', review).group(1),
        "fingerprint": re.search(r'name="fingerprint"[^>]*value="([0-9a-f]{32})"', review).group(1),
    }


@pytest.fixture
def last_unit(app):
    product = make_product(make_centre("surat"), slug="scarf", prices=(45000,), stock=1)
    return product.variants[0].id


def test_a_buyer_too_late_for_the_last_unit_is_refused_after_two_reads(app, last_unit, count_queries):
    winner, loser = app.test_client(), app.test_client()
    winner_form, loser_form = _review(winner, last_unit), _review(loser, last_unit)
    assert "/orders/" in winner.post("/checkout/place", data=winner_form).headers["Location"]
    with count_queries() as statements:
        refused = loser.post("/checkout/place", data=loser_form)
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/cart")
    own = _statements(statements)
    # the cart's id; then, in one statement, the order already placed with this token (none) and
    # whether a line is short: on PostgreSQL both on the prepared connection, outside SQLAlchemy
    assert len(own) == (0 if db.engine.dialect.name == "postgresql" else 2), own
    assert not [s for s in own if s.lstrip().upper().startswith(WRITES) or "FOR UPDATE" in s.upper()], own
    assert "ไม่สามารถสั่งซื้อได้ตามที่เลือกไว้" in flashed(loser.get("/cart"))  # "some items cannot be bought as they are"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.get(Variant, last_unit).stock_reserved == 1


def test_placing_an_order_reads_first_and_writes_in_a_fixed_number_of_statements(app, last_unit, count_queries):
    buyer = app.test_client()
    form = _review(buyer, last_unit)
    with count_queries() as statements:
        placed = buyer.post("/checkout/place", data=form)
    assert placed.status_code == 303 and "/orders/" in placed.headers["Location"]
    own = _statements(statements)
    first_write = next(i for i, s in enumerate(own) if s.lstrip().upper().startswith(WRITES))
    reads, written = own[:first_write], own[first_write:]
    # the cart's id; order by token (none) with short of stock? (on PostgreSQL both on the
    # prepared connection, outside SQLAlchemy); the cart summarised; a free order number
    assert len(reads) == (2 if db.engine.dialect.name == "postgresql" else 4), reads
    # order, shipment, line; cart emptied; stock held and its ledger row; the versions (did a
    # count cross zero: yes, the last unit, so the lists move; the product's centre looked up;
    # product and centre pages); then, after the commit, the order, its shipments, their centre
    # and lines read again for the email and the redirect
    assert len(written) == 14, written
    guarded = next(i for i, s in enumerate(written) if s.lstrip().upper().startswith("UPDATE VARIANT"))
    assert [s.split()[0].upper() for s in written[:guarded]] == ["INSERT", "INSERT", "INSERT", "DELETE"]
    db.session.rollback()
    assert db.session.get(Variant, last_unit).stock_reserved == 1


def test_a_refusal_reads_on_the_prepared_connection_and_takes_no_pooled_one(app, last_unit, monkeypatch):
    """On PostgreSQL the refusing reads run on the worker's own prepared autocommit connection: the
    state, the cart's id, and the order with this token or a short line. No connection is taken
    from the pool, so there is no BEGIN, ROLLBACK or reset for a refusal."""
    import sqlalchemy as sa

    from shop import prepared

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads through SQLAlchemy")
    winner, loser = app.test_client(), app.test_client()
    winner_form, loser_form = _review(winner, last_unit), _review(loser, last_unit)
    assert "/orders/" in winner.post("/checkout/place", data=winner_form).headers["Location"]
    ran: list[bytes] = []
    real = prepared.PreparedRead._execute
    monkeypatch.setattr(prepared.PreparedRead, "_execute", lambda self, conn, values: ran.append(self.name) or real(self, conn, values))
    checkouts: list = []
    listener = lambda *args: checkouts.append(args)  # noqa: E731
    sa.event.listen(db.engine, "checkout", listener)
    try:
        refused = loser.post("/checkout/place", data=loser_form)
    finally:
        sa.event.remove(db.engine, "checkout", listener)
    assert refused.headers["Location"].endswith("/cart")
    assert ran == [b"shop_state", b"shop_guest_cart", b"shop_placed_or_short"], ran
    assert checkouts == []
