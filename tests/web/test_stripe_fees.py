"""Stripe's fee for a payment is read from the charge's balance transaction through the SDK."""
from sqlalchemy import select

from shop.extensions import db
from shop.models import Payment
from shop.services.payments import stripe_checkout
from tests.stripe_double import thai_card_fee
from tests.web.test_stripe import double, fresh, only_session, order, start  # noqa: F401 - fixtures and helpers


def test_a_card_payment_records_stripes_fee_from_the_balance_transaction(app, double, order):  # noqa: F811
    start(order)
    double.complete(only_session(double)["id"], paid=True)
    payment = fresh(Payment, db.session.scalar(select(Payment.id)))
    assert payment.fee_satang == thai_card_fee(order.total_satang) == 4882  # 3.65% of ฿1,250 is ฿45.63, plus 7% VAT on it, ฿3.19
    reads = [path for method, path, _ in double.requests if method == "GET" and path.startswith("/v1/payment_intents/")]
    assert reads == [f"/v1/payment_intents/{payment.reference}"]  # the double answers a fee only when the charge is expanded


def test_a_promptpay_payment_through_stripe_gets_its_fee_when_the_bank_confirms(app, double, order):  # noqa: F811
    start(order)
    session_id = only_session(double)["id"]
    double.complete(session_id, paid=False)
    double.fee_for = lambda amount: 1938  # Stripe's PromptPay fee differs from the card's
    double.promptpay_settles(session_id)
    assert db.session.scalar(select(Payment.fee_satang)) == 1938


def test_a_fee_stripe_cannot_give_now_is_left_unknown_and_read_later(app, double, order):  # noqa: F811
    start(order)
    session = only_session(double)
    double.mode = "error"
    session.update(status="complete", payment_status="paid", payment_intent="pi_later")
    double._charge(session)
    assert stripe_checkout.apply_session(session) == "paid"
    assert db.session.scalar(select(Payment.fee_satang)) is None
    double.mode = "up"
    assert stripe_checkout.record_missing_fees([order.id]) == 0
    db.session.rollback()
    assert db.session.scalar(select(Payment.fee_satang)) == thai_card_fee(order.total_satang)
