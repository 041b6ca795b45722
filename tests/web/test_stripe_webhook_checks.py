"""Signed Stripe events are checked before anything happens: their shape, then the shop's own records.

A correctly signed event can still be malformed (400, logged, nothing changed), or name a
payment, a refund or a session the shop never made for that order (flagged for an admin,
nothing booked). The events are signed with the real webhook secret, as Stripe would.
"""
import copy
import json
import logging
import secrets

import pytest
import stripe
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Payment, PaymentAttempt, ProviderEvent, Refund, RefundLine, SalesDaily, SalesEntry, StockMovement, Variant
from shop.services.ordering import attention
from tests.factories import cart_with, make_centre, make_product, place
from tests.web import test_stripe
from tests.web.test_backoffice import make_user, sign_in
from tests.web.test_stripe import SECRET, fresh, only_session, start

double, order = test_stripe.double, test_stripe.order  # the same fixtures: the Stripe double and an order from two centres


def post_signed(app, event) -> int:
    """Post any JSON, signed with the shop's real webhook secret."""
    payload = json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    response = app.test_client().post("/webhooks/stripe", data=payload,
                                      headers={"Stripe-Signature": signature, "Content-Type": "application/json"})
    return response.status_code


def books():
    """Everything that money, stock and order status live in (not the admin's attention notes)."""
    db.session.rollback()
    return {
        "orders": [(o.id, o.status, o.paid_at, o.closed_at) for o in db.session.scalars(select(Order).order_by(Order.id))],
        "variants": [(v.id, v.stock_on_hand, v.stock_reserved) for v in db.session.scalars(select(Variant).order_by(Variant.id))],
        "movements": db.session.scalar(select(func.count(StockMovement.id))),
        "ledger": [(e.kind, e.centre_id, e.amount_satang, e.units) for e in db.session.scalars(select(SalesEntry).order_by(SalesEntry.id))],
        "rollup": [(d.day, d.centre_id, d.revenue_satang, d.shipping_satang, d.units)
                   for d in db.session.scalars(select(SalesDaily).order_by(SalesDaily.id))],
        "payments": [(p.reference, p.amount_satang) for p in db.session.scalars(select(Payment).order_by(Payment.id))],
        "attempts": [(a.session_id, a.status) for a in db.session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.id))],
        "refunds": [(r.reference, r.amount_satang) for r in db.session.scalars(select(Refund).order_by(Refund.id))],
        "refund_lines": db.session.scalar(select(func.count(RefundLine.id))),
    }


def everything():
    state = books()
    state["attention"] = [o.attention for o in db.session.scalars(select(Order).order_by(Order.id))]
    state["events"] = db.session.scalar(select(func.count(ProviderEvent.id)))
    return state


# --- 1. Signed but malformed ----------------------------------------------------------------

def _drop(mapping: dict, *keys: str) -> dict:
    return {k: v for k, v in mapping.items() if k not in keys}


MALFORMED = {
    "not an object": lambda event: [event],
    "no id": lambda event: _drop(event, "id"),
    "no type": lambda event: _drop(event, "type"),
    "no data": lambda event: _drop(event, "data"),
    "no data.object": lambda event: dict(event, data={}),
    "data.object a string": lambda event: dict(event, data={"object": "cs_test_123"}),
    "data.object a list": lambda event: dict(event, data={"object": [event["data"]["object"]]}),
    "no client_reference_id or metadata": lambda event: dict(
        event, data={"object": _drop(event["data"]["object"], "client_reference_id", "metadata")}),
    "metadata a string": lambda event: dict(
        event, data={"object": dict(_drop(event["data"]["object"], "client_reference_id"), metadata="order")}),
    "amount a string": lambda event: dict(event, data={"object": dict(event["data"]["object"], amount_total="125000")}),
}


@pytest.mark.parametrize("kind", ["checkout.session.completed", "checkout.session.expired", "checkout.session.async_payment_failed"])
@pytest.mark.parametrize("shape", list(MALFORMED))
def test_a_signed_but_malformed_session_event_gets_400_and_changes_nothing(app, double, order, caplog, kind, shape):
    start(order)
    session = dict(only_session(double), status="complete", payment_status="paid", payment_intent="pi_" + secrets.token_hex(8))
    event = MALFORMED[shape](double._event(kind, session))
    before = everything()
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        assert post_signed(app, event) == 400
    assert everything() == before
    logged = [r.getMessage() for r in caplog.records if "malformed" in r.getMessage()]
    assert logged, "the refusal is logged"
    assert not any(order.email in line or session["id"] in line for line in logged), "without the payload"


def paid(double, order) -> dict:
    start(order)
    session = only_session(double)
    double.complete(session["id"], paid=True)
    return session


def charge_refunded(double, payment_intent, *refunds: dict) -> dict:
    charge = copy.deepcopy(double.fixtures["charge"])
    charge.update(id="ch_" + secrets.token_hex(12), currency="thb", payment_intent=payment_intent,
                  amount_refunded=sum(r["amount"] for r in refunds),
                  refunds={"object": "list", "data": list(refunds), "has_more": False})
    return double._event("charge.refunded", charge)


def a_refund(double, payment_intent, amount, **fields) -> dict:
    refund = copy.deepcopy(double.fixtures["refund"])
    refund.update(id="re_" + secrets.token_hex(12), amount=amount, currency="thb", payment_intent=payment_intent,
                  status="succeeded", **fields)
    return refund


REFUND_MALFORMED = {
    "data.object a string": lambda event: dict(event, data={"object": "ch_123"}),
    "data.object a list": lambda event: dict(event, data={"object": [event["data"]["object"]]}),
    "refunds a string": lambda event: dict(event, data={"object": dict(event["data"]["object"], refunds="re_1")}),
    "a refund a string": lambda event: dict(event, data={"object": dict(event["data"]["object"], refunds={"data": ["re_1"]})}),
    "amount a string": lambda event: dict(event, data={"object": dict(event["data"]["object"], refunds={
        "data": [dict(event["data"]["object"]["refunds"]["data"][0], amount="11500")]})}),
    "no refund id": lambda event: dict(event, data={"object": dict(event["data"]["object"], refunds={
        "data": [_drop(event["data"]["object"]["refunds"]["data"][0], "id")]})}),
}


@pytest.mark.parametrize("shape", list(REFUND_MALFORMED))
def test_a_signed_but_malformed_refund_event_gets_400_and_changes_nothing(app, double, order, shape):
    session = paid(double, order)
    event = REFUND_MALFORMED[shape](charge_refunded(double, session["payment_intent"], a_refund(double, session["payment_intent"], 11500)))
    before = everything()
    assert post_signed(app, event) == 400
    assert everything() == before


def test_a_well_formed_event_of_a_type_the_shop_ignores_is_accepted(app, double, order):
    event = double._event("customer.created", {"id": "cus_1", "object": "customer"})
    assert post_signed(app, event) == 200


# --- 2. Refunds and expiries checked against the shop's own records ---------------------------

def flags(order_id: int) -> str:
    """The order's notes as a Thai admin reads them."""
    return "\n".join(attention.messages(fresh(Order, order_id), "th"))


def test_a_signed_refund_for_an_order_never_paid_is_flagged_and_never_booked(app, double, order):
    start(order)
    before = books()
    forged = a_refund(double, "pi_forged", 999999, metadata={"order_number": order.number})
    assert post_signed(app, charge_refunded(double, "pi_forged", forged)) == 200
    assert books() == before
    flag = flags(order.id)
    assert order.number in flag and "฿9,999.99" in flag and "999999" not in flag
    assert flag.startswith("Stripe แจ้งการคืนเงิน")  # in the reader's language, whoever's request wrote it


def test_an_admin_sees_the_flag_on_the_order_in_the_back_office(app, double, order):
    start(order)
    forged = a_refund(double, "pi_forged", 999999, metadata={"order_number": order.number})
    post_signed(app, charge_refunded(double, "pi_forged", forged))
    make_user("admin@tla.example", "admin")
    page = sign_in(app.test_client(), "admin@tla.example").get(f"/backoffice/orders/{order.id}").get_data(as_text=True)
    assert "฿9,999.99" in page and "Stripe แจ้งการคืนเงิน" in page


def test_a_refund_larger_than_what_is_left_to_refund_is_flagged_and_never_booked(app, double, order):
    session = paid(double, order)
    double.dashboard_refund(session["id"], 11500)  # a real, partial refund: ฿1,135 left
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    before = books()
    too_much = a_refund(double, session["payment_intent"], 113600, metadata={})
    assert post_signed(app, charge_refunded(double, session["payment_intent"], too_much)) == 200
    assert books() == before
    flag = flags(order.id)
    assert order.number in flag and "฿1,136" in flag and "฿1,135" in flag


def test_a_refund_larger_than_the_whole_payment_is_flagged_and_never_booked(app, double, order):
    session = paid(double, order)
    before = books()
    too_much = a_refund(double, session["payment_intent"], 999999, metadata={"order_number": order.number})
    assert post_signed(app, charge_refunded(double, session["payment_intent"], too_much)) == 200
    assert books() == before
    assert "฿9,999.99" in flags(order.id)


def test_a_refund_for_a_payment_the_shop_never_recorded_is_flagged_and_never_booked(app, double, order):
    paid(double, order)
    before = books()
    unknown = a_refund(double, "pi_unknown", 11500, metadata={"order_number": order.number})
    assert post_signed(app, charge_refunded(double, "pi_unknown", unknown)) == 200
    assert books() == before
    flag = flags(order.id)
    assert order.number in flag and "฿115" in flag


def second_order():
    centre = make_centre("yala", province_code="95", region="south")
    bag = make_product(centre, slug="bag", name_en="Bag", prices=(30000,), stock=2)
    return place(cart_with((bag.variants[0].id, 1)), payment_method="stripe", lang="en")


def test_a_refund_naming_one_order_with_another_orders_payment_is_flagged_and_never_booked(app, double, order):
    session = paid(double, order)
    other = second_order()
    before = books()
    crossed = a_refund(double, session["payment_intent"], 11500, metadata={"order_number": other.number})
    assert post_signed(app, charge_refunded(double, session["payment_intent"], crossed)) == 200
    assert books() == before
    assert other.number in flags(other.id)


def test_a_refund_whose_line_selection_does_not_fit_the_order_is_spread_over_its_lines(app, double, order):
    session = paid(double, order)
    odd = a_refund(double, session["payment_intent"], 11500, metadata={"order_number": order.number, "selection": "999x1,ax2|s1", "restock": "1"})
    variants = books()["variants"]
    assert post_signed(app, charge_refunded(double, session["payment_intent"], odd)) == 200
    refund = db.session.scalar(select(Refund))
    assert refund.amount_satang == 11500 and sum(ln.amount_satang for ln in refund.lines) == 11500
    assert books()["variants"] == variants  # no lines named, so nothing goes back to stock


def expired_event(double, session: dict, **fields) -> dict:
    return double._event("checkout.session.expired", dict(session, status="expired", **fields))


def test_an_expiry_for_a_session_the_shop_never_created_is_flagged_and_releases_nothing(app, double, order):
    start(order)
    before = books()
    never = expired_event(double, only_session(double), id="cs_test_" + secrets.token_hex(16))
    assert post_signed(app, never) == 200
    assert books() == before
    assert fresh(Order, order.id).status == "awaiting_payment"
    assert order.number in flags(order.id)


def test_an_expiry_naming_another_orders_session_is_flagged_and_releases_nothing(app, double, order):
    start(order)
    session = only_session(double)
    other = second_order()
    start(other)
    before = books()
    crossed = expired_event(double, session, client_reference_id=other.number,
                            metadata={"order_number": other.number, "order_id": str(other.id), "attempt": "1"})
    assert post_signed(app, crossed) == 200
    assert books() == before
    assert other.number in flags(other.id)
    assert fresh(Order, order.id).status == fresh(Order, other.id).status == "awaiting_payment"


def test_the_same_forged_refund_delivered_twice_is_flagged_once(app, double, order):
    start(order)
    forged = a_refund(double, "pi_forged", 999999, metadata={"order_number": order.number})
    post_signed(app, charge_refunded(double, "pi_forged", forged))
    post_signed(app, charge_refunded(double, "pi_forged", forged))  # a new event, the same refund
    assert flags(order.id).count("฿9,999.99") == 1
