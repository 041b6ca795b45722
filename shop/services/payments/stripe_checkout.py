"""Stripe Checkout (card and PromptPay): sessions, verified webhooks, reconciliation, refunds.

The shop learns of payments only from signed webhooks or by asking Stripe, never from the
browser's redirect. Every effect is idempotent (a payment is recorded once per reference, an
event id once), so replays, duplicates and events out of order change nothing.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import stripe
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, Payment, PaymentAttempt, ProviderEvent, Refund
from shop.models._base import utcnow
from shop.services.errors import DomainError
from shop.services.money import format_baht
from shop.services.ordering import checkout, lifecycle
from shop.services.ordering import refunds as owed

SESSION_LIFETIME = timedelta(minutes=60)  # Stripe allows 30 minutes to 24 hours
HOLD_GRACE = timedelta(minutes=10)  # a payment finished at the last second still finds its stock
REUSE_MARGIN = timedelta(minutes=2)


if TYPE_CHECKING:
    from stripe.params import RefundCreateParams
    from stripe.params.checkout import SessionCreateParams, SessionCreateParamsLineItem


class StripeUnavailable(DomainError):
    message = _l("We could not reach the card payment service just now. Your order and its items are kept; please try again in a minute.")


def missing_settings(config: dict[str, Any]) -> list[str]:
    return [name for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET") if not config.get(name)]


def client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        http_client=config.get("STRIPE_HTTP_CLIENT") or stripe.RequestsClient(timeout=config.get("STRIPE_TIMEOUT", 10)),
        max_network_retries=config.get("STRIPE_NETWORK_RETRIES", 1),
    )


class StripeCheckout:
    """The payment method behind the interface in payments/__init__.py."""

    code = "stripe"

    def label(self) -> str:
        return _("Card or PromptPay, paid securely through Stripe")

    def is_available(self, config: dict[str, Any]) -> bool:
        return not missing_settings(config)

    def hold_time(self, config: dict[str, Any]) -> timedelta:
        return SESSION_LIFETIME + HOLD_GRACE

    def instructions(self, order, config: dict[str, Any]) -> dict[str, Any]:
        return {"template": "storefront/_pay_stripe.html"}


def _line_items(order: Order, lang: str) -> list[SessionCreateParamsLineItem]:
    items: list[SessionCreateParamsLineItem] = []
    for shipment in order.shipments:
        for line in shipment.lines:
            name = line.product_name(lang) + (f" ({line.variant_name(lang)})" if line.variant_name(lang) else "")
            items.append({
                "quantity": line.quantity,
                "price_data": {"currency": "thb", "unit_amount": line.unit_price_satang, "product_data": {"name": name[:250]}},
            })
        if shipment.shipping_fee_satang:
            label = _("Shipping from %(centre)s", centre=shipment.centre.localised("name", lang))
            items.append({
                "quantity": 1,
                "price_data": {"currency": "thb", "unit_amount": shipment.shipping_fee_satang, "product_data": {"name": label[:250]}},
            })
    return items


def _payment_methods() -> list[Any]:
    raw = current_app.config.get("STRIPE_PAYMENT_METHODS", "card,promptpay")
    return [m.strip() for m in raw.split(",") if m.strip()]


def start_checkout(order_id: int, return_base: str, now: datetime | None = None) -> str:
    """The hosted payment page's URL: an open session reused, or a new one made once."""
    now = now or utcnow()
    order = db.session.get(Order, order_id)
    if order is None or order.status != "awaiting_payment" or order.payment_method != "stripe":
        raise DomainError(_l("This order cannot be paid now."))
    open_attempt = db.session.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order.id, PaymentAttempt.status == "open")
        .order_by(PaymentAttempt.id.desc())
    )
    if open_attempt is not None and lifecycle.as_utc(open_attempt.expires_at) > now + REUSE_MARGIN:
        return open_attempt.url
    attempt_no = (db.session.scalar(select(func.max(PaymentAttempt.attempt_no)).where(PaymentAttempt.order_id == order.id)) or 0) + 1
    # The hold ends when the order's reservation does: a session never outlives the stock.
    if order.reserved_until is None:
        raise DomainError(_l("This order cannot be paid now."))
    hold_end = lifecycle.as_utc(order.reserved_until) - HOLD_GRACE
    expires_at = min(now + SESSION_LIFETIME, hold_end)
    if expires_at < now + timedelta(minutes=30):
        raise DomainError(_l("The time to pay this order has nearly run out. Please place the order again."))
    lang = order.lang if order.lang in {"th", "en"} else "th"
    access = checkout.order_access_key(order.number)
    params: SessionCreateParams = {
        "mode": "payment",
        "currency": "thb",
        "line_items": _line_items(order, lang),
        "allowed_payment_method_types": _payment_methods(),
        "customer_email": order.email,
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number, "order_id": str(order.id), "attempt": str(attempt_no)},
        "payment_intent_data": {"metadata": {"order_number": order.number}},
        "locale": lang,
        "expires_at": int(expires_at.timestamp()),
        "success_url": f"{return_base}/orders/{order.number}/paid?key={access}&session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{return_base}/orders/{order.number}/payment-cancelled?key={access}",
    }
    key = f"checkout-{order.number}-{attempt_no}"
    try:
        session = client().v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
    except stripe.StripeError as error:
        current_app.logger.warning("Stripe checkout for %s failed: %s %s", order.number, type(error).__name__, getattr(error, "http_status", ""))
        raise StripeUnavailable() from None
    if session["amount_total"] != order.total_satang or session["currency"] != "thb":
        current_app.logger.error("Stripe session %s total %s does not match order %s", session["id"], session["amount_total"], order.number)
        raise StripeUnavailable()
    begin_write()
    db.session.add(PaymentAttempt(order_id=order.id, attempt_no=attempt_no, session_id=session["id"], url=session["url"],
                                  amount_satang=order.total_satang, expires_at=expires_at, status="open"))
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent click made the same attempt: use it
        db.session.rollback()
        existing = db.session.scalar(select(PaymentAttempt).where(PaymentAttempt.session_id == session["id"]))
        if existing is None:
            raise
    return session["url"]


# --- What Stripe tells us -------------------------------------------------------------------

def verify_webhook(payload: bytes, signature: str) -> Any:
    """The event, if the signature is Stripe's and fresh; raises ValueError otherwise."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise ValueError("missing signature")
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise ValueError("bad signature") from error


def handle_event(event: Any) -> str:
    """Apply one event exactly once; returns what happened (for the log and tests)."""
    event_id, event_type = event["id"], event["type"]
    if db.session.get(ProviderEvent, event_id) is not None:
        db.session.rollback()
        return "duplicate"
    data = event["data"]["object"]
    if event_type in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
        outcome = apply_session(data)
    elif event_type == "checkout.session.async_payment_failed":
        outcome = _set_attempt(data["id"], "failed")
    elif event_type == "checkout.session.expired":
        outcome = session_expired(data)
    elif event_type in {"charge.refunded", "refund.created", "refund.updated", "charge.refund.updated"}:
        outcome = record_provider_refunds(data)
    else:
        outcome = "ignored"
    begin_write()
    db.session.add(ProviderEvent(id=event_id, type=event_type, outcome=outcome[:100]))
    try:
        db.session.commit()
    except IntegrityError:  # the same event delivered twice at once: the effect was idempotent
        db.session.rollback()
        return "duplicate"
    return outcome


def _order_for(session: Any) -> Order | None:
    number = (session.get("metadata") or {}).get("order_number") if isinstance(session, dict) else None
    number = number or session["client_reference_id"]
    return db.session.scalar(select(Order).where(Order.number == number)) if number else None


def _set_attempt(session_id: str, status: str) -> str:
    begin_write()
    attempt = db.session.scalar(select(PaymentAttempt).where(PaymentAttempt.session_id == session_id))
    if attempt is None:
        db.session.rollback()
        return "unknown session"
    if attempt.status != "complete":  # never step back from complete (events may come out of order)
        attempt.status = status
    db.session.commit()
    return f"attempt {status}"


def apply_session(session: Any) -> str:
    """A completed session: record the payment when paid; wait when PromptPay is pending."""
    session = _as_dict(session)
    order = _order_for(session)
    if order is None:
        current_app.logger.error("Stripe session %s names no order of ours", session.get("id"))
        return "unknown order"
    if session.get("payment_status") == "unpaid" and session.get("status") == "complete":
        return _set_attempt(session["id"], "awaiting_async")
    if session.get("payment_status") not in {"paid", "no_payment_required"}:
        return "not paid"
    if session.get("currency") != "thb" or session.get("amount_total") != order.total_satang:
        _flag_mismatch(order, session)
        return "amount mismatch"
    _set_attempt(session["id"], "complete")
    reference = session.get("payment_intent") or session["id"]
    if isinstance(reference, dict):
        reference = reference.get("id")
    return lifecycle.record_payment(order.id, method="stripe", reference=str(reference), amount_satang=session["amount_total"])


def _flag_mismatch(order: Order, session: dict) -> None:
    begin_write()
    locked = db.session.get(Order, order.id)
    if locked is None:
        return
    amount = session.get("amount_total")
    paid = format_baht(amount) if isinstance(amount, int) and session.get("currency") == "thb" else f"{amount} {session.get('currency')}"
    lifecycle.flag(locked, f"Stripe session {session.get('id')} paid {paid} but the order total is "
                           f"{format_baht(order.total_satang)}: not marked paid; check and refund.")
    db.session.commit()


def session_expired(session: Any) -> str:
    """The session ran out unpaid: release the order's stock unless another attempt is open."""
    session = _as_dict(session)
    _set_attempt(session["id"], "expired")
    order = _order_for(session)
    if order is None or order.status != "awaiting_payment":
        return "nothing to release"
    still_open = db.session.scalar(
        select(func.count(PaymentAttempt.id)).where(PaymentAttempt.order_id == order.id, PaymentAttempt.status.in_(["open", "awaiting_async"]))
    )
    if still_open:
        return "another attempt is open"
    return "released" if lifecycle.expire(order.id, note="Stripe Checkout session expired") else "nothing to release"


def _as_dict(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def refresh_order(order_id: int) -> str:
    """Ask Stripe about the order's sessions and apply what it says (success page, reconcile)."""
    attempts = db.session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.order_id == order_id, PaymentAttempt.status.in_(["open", "awaiting_async"]))
        .order_by(PaymentAttempt.id)
    ).all()
    outcome = "nothing to do"
    for attempt in attempts:
        try:
            session = client().v1.checkout.sessions.retrieve(attempt.session_id)
        except stripe.StripeError as error:
            current_app.logger.warning("Could not ask Stripe about %s: %s", attempt.session_id, type(error).__name__)
            return "stripe unavailable"
        data = _as_dict(session)
        if data.get("status") == "complete":
            outcome = apply_session(data)
        elif data.get("status") == "expired":
            outcome = session_expired(data)
    return outcome


def orders_awaiting_stripe() -> list[int]:
    return list(db.session.scalars(
        select(Order.id).where(Order.status == "awaiting_payment", Order.payment_method == "stripe").order_by(Order.id)
    ))


def refund_key(order_number: str, selection: str) -> str:
    return f"refund-{order_number}-{hashlib.sha256(selection.encode()).hexdigest()[:16]}"


# --- Refunds ----------------------------------------------------------------------------------

def create_refund(order: Order, amount_satang: int, selection: str, *, restock: bool, attempt: int) -> str:
    """Ask Stripe to give `amount_satang` of the order's payment back; returns Stripe's refund id."""
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.method == "stripe").order_by(Payment.id))
    if payment is None:
        raise DomainError()
    params: RefundCreateParams = {
        "payment_intent": payment.reference,
        "amount": amount_satang,
        "metadata": {"order_number": order.number, "selection": selection, "restock": "1" if restock else "0"},
    }
    try:
        made = client().v1.refunds.create(params=params, options={"idempotency_key": refund_key(order.number, f"{attempt}:{selection}")})
    except stripe.StripeError as error:
        current_app.logger.warning("Stripe refund for %s failed: %s", order.number, type(error).__name__)
        raise StripeUnavailable() from None
    return made["id"]


def record_provider_refunds(obj: Any) -> str:
    """A refund made or changed at Stripe (charge.refunded / refund.*): record what is new."""
    data = _as_dict(obj)
    refunds = data.get("refunds", {}).get("data", []) if data.get("object") == "charge" else [data]
    recorded = 0
    for item in refunds:
        if item.get("status") not in {"succeeded", "pending"}:
            continue
        metadata = item.get("metadata") or {}
        number = metadata.get("order_number")
        order = None
        if number:
            order = db.session.scalar(select(Order).where(Order.number == number))
        if order is None and item.get("payment_intent"):
            payment = db.session.scalar(select(Payment).where(Payment.method == "stripe", Payment.reference == item["payment_intent"]))
            order = db.session.get(Order, payment.order_id) if payment else None
        if order is None:
            continue
        lines, shipments = owed.decode_selection(metadata.get("selection", ""))
        if db.session.scalar(select(Refund.id).where(Refund.reference == item["id"])):
            continue
        lifecycle.record_refund(order.id, item["id"], "stripe", lines, shipments, int(item["amount"]),
                                restock=metadata.get("restock") == "1", reason="made at Stripe" if not lines else "",
                                spread=not lines)
        recorded += 1
    return f"refunds recorded: {recorded}"
