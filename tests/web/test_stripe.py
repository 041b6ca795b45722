"""Stripe Checkout against the local double: sessions, webhooks, replays, failures, refunds."""
import json
import random
import time

import pytest
import stripe
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Payment, PaymentAttempt, ProviderEvent, Refund, RefundLine, StockMovement, Variant
from shop.services.ordering import attention
from shop.services.payments import refunds as payment_refunds
from shop.services.payments import stripe_checkout
from tests.factories import cart_with, make_centre, make_product, place
from tests.stripe_double import DoubleHTTPClient, StripeDouble

SECRET = "whsec_test_secret"


@pytest.fixture
def double(app):
    double = StripeDouble(SECRET)
    app.config.update(STRIPE_SECRET_KEY="sk_test_double", STRIPE_WEBHOOK_SECRET=SECRET,
                      STRIPE_HTTP_CLIENT=DoubleHTTPClient(double), STRIPE_NETWORK_RETRIES=0)
    webhook_client = app.test_client()

    def deliver(payload: bytes, signature: str) -> int:
        return webhook_client.post("/webhooks/stripe", data=payload,
                                   headers={"Stripe-Signature": signature, "Content-Type": "application/json"}).status_code

    double.deliver = deliver
    return double


@pytest.fixture
def order(app, double):
    surat = make_centre("surat", province_code="84", region="south")
    lampang = make_centre("lampang", province_code="52", region="north")
    cloth = make_product(surat, slug="cloth", name_en="Leaf cloth", prices=(65000,), stock=3)
    rooster = make_product(lampang, slug="rooster", name_en="Rooster", prices=(25000,), stock=3)
    return place(cart_with((cloth.variants[0].id, 1), (rooster.variants[0].id, 2)), payment_method="stripe", lang="en")


def fresh(model, id_):
    db.session.rollback()
    return db.session.get(model, id_)


def start(order) -> str:
    return stripe_checkout.start_checkout(order.id, "http://shop.test")


def only_session(double) -> dict:
    assert len(double.sessions) == 1
    return next(iter(double.sessions.values()))


def test_a_checkout_session_carries_the_databases_prices_and_the_order(app, double, order):
    url = start(order)
    session = only_session(double)
    assert url == session["url"]
    assert session["amount_total"] == order.total_satang == 65000 + 2 * 25000 + 5000 + 5000
    assert session["currency"] == "thb" and session["locale"] == "en"
    assert session["client_reference_id"] == order.number and session["metadata"]["order_number"] == order.number
    assert session["payment_method_types"] == ["card", "promptpay"]
    assert 30 * 60 <= session["expires_at"] - time.time() <= 24 * 3600
    posts = [h for m, p, h in double.requests if m == "POST" and p == "/v1/checkout/sessions"]
    assert posts[0]["Idempotency-Key"] == f"checkout-{order.number}-1"


def test_a_second_click_reuses_the_open_session(app, double, order):
    assert start(order) == start(order)
    assert len(double.sessions) == 1
    assert db.session.scalar(select(func.count(PaymentAttempt.id))) == 1


def test_paying_by_card_marks_the_order_paid_through_the_signed_webhook(app, double, order):
    start(order)
    assert double.complete(only_session(double)["id"], paid=True) == 200
    paid = fresh(Order, order.id)
    assert paid.status == "paid"
    payment = db.session.scalar(select(Payment))
    assert payment.method == "stripe" and payment.reference.startswith("pi_") and payment.amount_satang == paid.total_satang


def test_promptpay_moves_from_awaiting_to_paid_when_the_bank_confirms(app, double, order):
    start(order)
    session_id = only_session(double)["id"]
    double.complete(session_id, paid=False)
    assert fresh(Order, order.id).status == "awaiting_payment"
    assert db.session.scalar(select(PaymentAttempt.status)) == "awaiting_async"
    double.promptpay_settles(session_id, succeeded=True)
    assert fresh(Order, order.id).status == "paid"


def test_a_failed_promptpay_leaves_the_order_open_to_pay_again(app, double, order):
    start(order)
    session_id = only_session(double)["id"]
    double.complete(session_id, paid=False)
    double.promptpay_settles(session_id, succeeded=False)
    assert fresh(Order, order.id).status == "awaiting_payment"
    assert db.session.scalar(select(PaymentAttempt.status)) == "failed"
    assert start(fresh(Order, order.id)) != ""  # a new attempt can be made
    assert len(double.sessions) == 2


def test_an_expired_session_releases_the_stock(app, double, order):
    start(order)
    double.expire(only_session(double)["id"])
    expired = fresh(Order, order.id)
    assert expired.status == "expired"
    assert db.session.scalar(select(func.sum(Variant.stock_reserved))) == 0


def snapshot():
    db.session.rollback()
    tables = [Order, Payment, PaymentAttempt, Variant, Refund, RefundLine]
    state = {m.__name__: [tuple(getattr(r, c.key) for c in m.__table__.columns if c.key not in {"received_at"})
                          for r in db.session.scalars(select(m).order_by(m.id))] for m in tables}
    state["movements"] = db.session.scalar(select(func.count(StockMovement.id)))
    return state


def test_replaying_every_webhook_five_times_in_shuffled_order_changes_nothing(app, double, order):
    start(order)
    session_id = only_session(double)["id"]
    double.complete(session_id, paid=False)
    double.promptpay_settles(session_id, succeeded=True)
    double.dashboard_refund(session_id, 25000)
    once = snapshot()
    replays = double.events * 5
    random.Random(7).shuffle(replays)
    for event in replays:
        assert double.post_event(event) == 200
    assert snapshot() == once
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == len(double.events)


def test_events_out_of_order_still_end_paid(app, double, order):
    start(order)
    session_id = only_session(double)["id"]
    double.deliver, real = (lambda payload, sig: 200), double.deliver  # hold the events back
    double.complete(session_id, paid=False)
    double.promptpay_settles(session_id, succeeded=True)
    double.deliver = real
    for event in reversed(double.events):  # succeeded arrives before completed
        double.post_event(event)
    assert fresh(Order, order.id).status == "paid"
    assert db.session.scalar(select(func.count(Payment.id))) == 1


@pytest.mark.parametrize("forgery", ["unsigned", "wrong_secret", "stale", "tampered", "garbage"])
def test_forged_unsigned_and_stale_webhooks_get_400_and_change_nothing(app, double, order, forgery):
    start(order)
    session = dict(only_session(double), status="complete", payment_status="paid", payment_intent="pi_forged")
    event = double._event("checkout.session.completed", session)
    payload = json.dumps(event)
    client = app.test_client()
    before = snapshot()
    if forgery == "unsigned":
        headers = {}
    elif forgery == "wrong_secret":
        headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, "whsec_other")}
    elif forgery == "stale":
        old = int(time.time()) - 600
        headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, SECRET, timestamp=old)}
    elif forgery == "tampered":
        headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, SECRET)}
        payload = payload.replace(order.number, order.number + "X")
    else:
        headers = {"Stripe-Signature": "t=1,v1=abc"}
        payload = "not json at all"
    response = client.post("/webhooks/stripe", data=payload, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert snapshot() == before


def test_a_paid_amount_that_differs_from_the_order_is_flagged_never_paid(app, double, order):
    start(order)
    session = dict(only_session(double), status="complete", payment_status="paid", payment_intent="pi_x", amount_total=100)
    event = double._event("checkout.session.completed", session)
    assert double.post_event(event) == 200
    flagged = fresh(Order, order.id)
    assert flagged.status == "awaiting_payment" and "not marked paid" in attention.messages(flagged, "en")[0]
    assert db.session.scalar(select(func.count(Payment.id))) == 0


@pytest.mark.parametrize("mode", ["down", "error"])
def test_when_stripe_is_down_checkout_fails_politely_and_a_retry_succeeds(app, double, order, mode):
    from shop.services.ordering.checkout import order_access_key

    double.mode = mode
    client = app.test_client()
    key = order_access_key(order.number)
    page = client.get(f"/orders/{order.number}?key={key}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0] if 'type="hidden" value="' in page else \
        page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/orders/{order.number}/pay?key={key}", data={"csrf_token": token})
    assert response.status_code == 303 and f"/orders/{order.number}" in response.headers["Location"]
    message = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ลองอีกครั้ง" in message  # "please try again"
    intact = fresh(Order, order.id)
    assert intact.status == "awaiting_payment" and db.session.scalar(select(func.sum(Variant.stock_reserved))) == 3
    assert db.session.scalar(select(func.count(PaymentAttempt.id))) == 0
    double.mode = "up"
    response = client.post(f"/orders/{order.number}/pay?key={key}", data={"csrf_token": token})
    assert response.headers["Location"].startswith("http://stripe.test/pay/cs_test_")


def test_the_success_page_asks_stripe_when_no_webhook_came(app, double, order):
    from shop.services.ordering.checkout import order_access_key

    start(order)
    double.deliver = lambda payload, sig: 200  # the webhook is lost
    session_id = only_session(double)["id"]
    double.complete(session_id, paid=True)
    assert fresh(Order, order.id).status == "awaiting_payment"
    client = app.test_client()
    key = order_access_key(order.number)
    forged = client.get(f"/orders/{order.number}/paid?key={key}&session_id=cs_test_forged")
    assert forged.status_code == 303
    assert fresh(Order, order.id).status == "paid"  # learnt from Stripe itself, not from the query


def test_the_success_page_does_not_trust_its_query_string(app, double, order):
    from shop.services.ordering.checkout import order_access_key

    start(order)
    client = app.test_client()
    client.get(f"/orders/{order.number}/paid?key={order_access_key(order.number)}&session_id=anything&paid=1")
    assert fresh(Order, order.id).status == "awaiting_payment"


def test_stripe_reconcile_applies_what_stripe_knows(app, double, order, runner):
    start(order)
    double.deliver = lambda payload, sig: 200
    double.complete(only_session(double)["id"], paid=True)
    result = runner.invoke(args=["stripe-reconcile"])
    assert result.exit_code == 0, result.output
    assert "1 orders await" in result.output
    assert fresh(Order, order.id).status == "paid"


def test_stripe_check_says_what_is_missing(app, runner):
    result = runner.invoke(args=["stripe-check"])
    assert result.exit_code != 0 and "STRIPE_SECRET_KEY" in result.output and "STRIPE_WEBHOOK_SECRET" in result.output


def test_stripe_is_offered_only_when_both_keys_are_set(app, client):
    from shop.services.payments import available_methods

    assert "stripe" not in available_methods(app)
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="")
    assert "stripe" not in available_methods(app)
    app.config.update(STRIPE_WEBHOOK_SECRET="whsec_x")
    assert "stripe" in available_methods(app)


def test_an_admin_refunds_one_centres_line_through_stripe(app, double, order):
    from shop.models import User
    from shop.services.ordering import refunds

    start(order)
    double.complete(only_session(double)["id"], paid=True)
    admin = User(email="a@tla.example", name="a", role="admin")
    admin.set_password("x" * 12)
    db.session.add(admin)
    db.session.commit()
    paid = fresh(Order, order.id)
    rooster_line = next(ln for ln in paid.lines if ln.sku.startswith("SKU") and ln.unit_price_satang == 25000)
    refund = payment_refunds.refund(admin, paid.id, {rooster_line.id: 1}, [], restock=False, reason="broken comb")
    assert refund.amount_satang == 25000 and refund.reference.startswith("re_")
    line = db.session.scalar(select(RefundLine))
    assert (line.centre_id, line.amount_satang) == (rooster_line.centre_id, 25000)
    posts = [h for m, p, h in double.requests if p == "/v1/refunds"]
    assert posts[-1]["Idempotency-Key"].startswith(f"refund-{paid.number}-")
    # the webhook Stripe then sends is recognised as the same refund
    with pytest.raises(refunds.RefundTooLarge):
        payment_refunds.refund(admin, paid.id, {rooster_line.id: 2}, [], restock=False)
    assert db.session.scalar(select(func.count(Refund.id))) == 1


def test_a_dashboard_refund_is_recorded_once_and_split_over_the_centres(app, double, order):
    start(order)
    session_id = only_session(double)["id"]
    double.complete(session_id, paid=True)
    double.dashboard_refund(session_id, 11500)
    refund = db.session.scalar(select(Refund))
    assert refund.amount_satang == 11500
    assert sum(ln.amount_satang for ln in refund.lines) == 11500
    assert len({ln.centre_id for ln in refund.lines}) == 2


def test_a_stripe_webhook_reaches_the_ledger_without_stepping_back(app, double, order, monkeypatch):
    """webhook -> Stripe adapter -> lifecycle -> (effects) -> ledger: each layer entered once, in that order."""
    import inspect

    from shop.services.sales import ledger

    seen: list[list[str]] = []
    real = ledger._bump  # called by record_order_paid: the stack then runs down into the ledger

    def spy(*args, **kwargs):
        seen.append([frame.frame.f_globals.get("__name__", "") for frame in reversed(inspect.stack())])
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger, "_bump", spy)
    start(order)
    assert double.complete(only_session(double)["id"], paid=True) == 200
    assert len(seen) == 2  # one rollup row per centre of the order
    # shop.early_pages is the WSGI layer every request passes before Flask (it answers only cached pages)
    path = [name for name in seen[0] if name.startswith("shop.") and name != "shop.early_pages"]
    layers = ["shop.webhooks", "shop.services.payments", "shop.services.ordering", "shop.services.effects", "shop.services.sales"]
    visited = [next(layer for layer in layers if name.startswith(layer)) for name in path]
    collapsed = [layer for i, layer in enumerate(visited) if i == 0 or visited[i - 1] != layer]
    assert collapsed == layers, path
