"""Payments racing for receipt numbers: no gap and no duplicate, on SQLite and PostgreSQL."""
from sqlalchemy import select

from shop.extensions import db
from shop.models import Document, DocumentCounter
from shop.services.ordering import events, lifecycle
from tests.factories import cart_with, make_product, place
from tests.races import race

PAYERS = 16


def test_payments_racing_take_receipt_numbers_without_gaps_or_duplicates(app):
    # Each order from its own centre: no other row (a daily rollup, say) lines the payments up for us.
    products = [make_product(prices=(30000,), stock=1) for _ in range(PAYERS)]
    orders = [place(cart_with((product.variants[0].id, 1))) for product in products]
    totals = {order.id: order.total_satang for order in orders}

    def payer(index: int, order_id: int):
        def job():
            # every fourth payment fails after taking its number: the number must come back
            gives_up = index % 4 == 3
            lifecycle.record_payment(order_id, method="promptpay_transfer", reference=f"race-{order_id}",
                                     amount_satang=totals[order_id], fee_satang=0, commit=not gives_up)
            if gives_up:
                events.rollback()
        return job

    _, errors = race(app, [payer(i, order.id) for i, order in enumerate(orders)])
    assert not errors, errors[:3]
    numbers = list(db.session.scalars(select(Document.sequence).where(Document.doc_type == "RC")))
    paid = PAYERS - PAYERS // 4
    assert sorted(numbers) == list(range(1, paid + 1))
    assert len(set(db.session.scalars(select(Document.number)))) == paid
    assert db.session.scalar(select(DocumentCounter.last_number)) == paid
