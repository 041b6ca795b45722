"""Payments racing for receipt numbers: no gap and no duplicate, on SQLite and PostgreSQL."""
import threading

from sqlalchemy import select

from shop.extensions import db
from shop.models import Document, DocumentCounter
from shop.services.ordering import events, lifecycle
from tests.factories import cart_with, make_product, place

PAYERS = 16


def test_payments_racing_take_receipt_numbers_without_gaps_or_duplicates(app):
    # Each order from its own centre: no other row (a daily rollup, say) lines the payments up for us.
    products = [make_product(prices=(30000,), stock=1) for _ in range(PAYERS)]
    orders = [place(cart_with((product.variants[0].id, 1))) for product in products]
    totals = {order.id: order.total_satang for order in orders}
    barrier = threading.Barrier(PAYERS)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def payer(index: int, order_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                # every fourth payment fails after taking its number: the number must come back
                gives_up = index % 4 == 3
                lifecycle.record_payment(order_id, method="promptpay_transfer", reference=f"race-{order_id}",
                                         amount_satang=totals[order_id], fee_satang=0, commit=not gives_up)
                if gives_up:
                    events.rollback()
            except BaseException as exc:  # noqa: BLE001 - every outcome but success is a failure here
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=payer, args=(i, order.id)) for i, order in enumerate(orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors[:3]
    db.session.rollback()
    numbers = list(db.session.scalars(select(Document.sequence).where(Document.doc_type == "RC")))
    paid = PAYERS - PAYERS // 4
    assert sorted(numbers) == list(range(1, paid + 1))
    assert len(set(db.session.scalars(select(Document.number)))) == paid
    assert db.session.scalar(select(DocumentCounter.last_number)) == paid
