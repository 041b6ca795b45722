"""Stripe Checkout (card and PromptPay): sessions, verified webhooks, reconciliation, refunds.

The shop learns of payments only from signed webhooks or by asking Stripe, never from the
browser's redirect. Every effect is idempotent (a payment is recorded once per reference, an
event id once), so replays, duplicates and events out of order change nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import stripe
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, Payment, PaymentAttempt, ProviderEvent, Refund
from shop.models._base import utcnow
from shop.services.errors import DomainError
from shop.services.ordering import checkout, lifecycle
from shop.services.ordering import refunds as owed
from shop.services.thai import as_utc

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
    if open_attempt is not None and as_utc(open_attempt.expires_at) > now + REUSE_MARGIN:
        return open_attempt.url
    attempt_no = (db.session.scalar(select(func.max(PaymentAttempt.attempt_no)).where(PaymentAttempt.order_id == order.id)) or 0) + 1
    # The hold ends when the order's reservation does: a session never outlives the stock.
    if order.reserved_until is None:
        raise DomainError(_l("This order cannot be paid now."))
    hold_end = as_utc(order.reserved_until) - HOLD_GRACE
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

SESSION_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded",
                            "checkout.session.async_payment_failed", "checkout.session.expired"})
REFUND_EVENTS = frozenset({"charge.refunded", "refund.created", "refund.updated", "charge.refund.updated"})
MAX_SATANG = 2**63 - 1  # a BIGINT column


class MalformedEvent(ValueError):
    """A correctly signed event whose shape the shop cannot act on: refused with 400, nothing changed."""

    def __init__(self, reason: str, event_id: str = "", event_type: str = "") -> None:
        super().__init__(reason)
        self.reason, self.event_id, self.event_type = reason, event_id, event_type


def verify_webhook(payload: bytes, signature: str) -> dict[str, Any]:
    """The event as plain JSON, if the signature is Stripe's and fresh and the event's shape is sound.

    Raises MalformedEvent for a signed event of the wrong shape, ValueError for anything else.
    """
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise ValueError("missing signature")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise ValueError("bad signature") from error
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError):
        raise MalformedEvent("the payload is not JSON") from None
    return checked_event(event)


def _text(value: Any, limit: int = 255) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit


def _optional_text(value: Any) -> bool:
    return value is None or _text(value, 5000)


def _satang(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SATANG


def _metadata(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()))


def _session_problem(session: dict) -> str | None:
    if session.get("object") != "checkout.session":
        return "data.object is not a checkout session"
    if not _text(session.get("id")):
        return "the session has no id"
    metadata, reference = session.get("metadata"), session.get("client_reference_id")
    if not _metadata(metadata):
        return "the session's metadata is not a map of texts"
    if not _optional_text(reference):
        return "client_reference_id is not text"
    if not (reference or (metadata or {}).get("order_number")):
        return "the session names no order (no client_reference_id or metadata)"
    if session.get("amount_total") is not None and not _satang(session["amount_total"]):
        return "amount_total is not a whole number of satang"
    if not all(_optional_text(session.get(key)) for key in ("currency", "status", "payment_status")):
        return "currency, status or payment_status is not text"
    intent = session.get("payment_intent")
    if not (_optional_text(intent) or (isinstance(intent, dict) and _text(intent.get("id")))):
        return "payment_intent is neither an id nor an object"
    return None


def _refund_problem(refund: Any) -> str | None:
    if not isinstance(refund, dict) or refund.get("object") != "refund":
        return "a refund is not a refund object"
    if not _text(refund.get("id")):
        return "a refund has no id"
    if not _satang(refund.get("amount")) or refund["amount"] == 0:
        return "a refund's amount is not a positive whole number of satang"
    if not _text(refund.get("status"), 50):
        return "a refund has no status"
    if not _optional_text(refund.get("payment_intent")) or not _optional_text(refund.get("currency")):
        return "a refund's payment_intent or currency is not text"
    if not _metadata(refund.get("metadata")):
        return "a refund's metadata is not a map of texts"
    return None


def _charge_problem(charge: dict) -> str | None:
    if charge.get("object") != "charge" or not _text(charge.get("id")):
        return "data.object is not a charge"
    if not _optional_text(charge.get("payment_intent")):
        return "the charge's payment_intent is not text"
    refunds = charge.get("refunds")
    if refunds is None:  # not included by default since API version 2022-11-15
        return None
    if not isinstance(refunds, dict) or not isinstance(refunds.get("data"), list):
        return "the charge's refunds are not a list"
    return next((problem for item in refunds["data"] if (problem := _refund_problem(item))), None)


def checked_event(event: Any) -> dict[str, Any]:
    """The one place an event's shape is checked, before anything acts on it."""
    if not isinstance(event, dict):
        raise MalformedEvent("the event is not an object")
    event_id, event_type = event.get("id"), event.get("type")
    shown_id = event_id[:80] if isinstance(event_id, str) else ""
    shown_type = event_type[:80] if isinstance(event_type, str) else ""
    if not _text(event_id):
        problem: str | None = "the event has no id"
    elif not _text(event_type, 100):
        problem = "the event has no type"
    elif not isinstance(event.get("data"), dict) or not isinstance(event["data"].get("object"), dict):
        problem = "data.object is not an object"
    elif event_type in SESSION_EVENTS:
        problem = _session_problem(event["data"]["object"])
    elif event_type == "charge.refunded":
        problem = _charge_problem(event["data"]["object"])
    elif event_type in REFUND_EVENTS:
        problem = _refund_problem(event["data"]["object"])
    else:
        problem = None
    if problem:
        raise MalformedEvent(problem, shown_id, shown_type)
    return event


def handle_event(event: dict[str, Any]) -> str:
    """Apply one event (already checked by checked_event) exactly once; returns what happened."""
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
    elif event_type in REFUND_EVENTS:
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


def flag_for_admin(order: Order, code: str, **values: Any) -> None:
    """Note on the order, in the caller's transaction, something an admin must check (shown in the
    back office in the admin's language; see ordering.attention)."""
    lifecycle.flag(order, code, **values)


def _order_for(session: dict) -> Order | None:
    number = (session.get("metadata") or {}).get("order_number") or session.get("client_reference_id")
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
    reference = str(reference)
    if db.session.scalar(select(Payment.id).where(Payment.method == "stripe", Payment.reference == reference)):
        return lifecycle.DUPLICATE
    fee = charge_fee(reference)  # asked before the payment's transaction; settlements ask again if Stripe was away
    return lifecycle.record_payment(order.id, method="stripe", reference=reference, amount_satang=session["amount_total"],
                                    fee_satang=fee)


def charge_fee(payment_intent_id: str) -> int | None:
    """Stripe's fee for the payment, in satang, from its charge's balance transaction; None if it cannot be read now."""
    if not payment_intent_id.startswith("pi_"):
        return 0  # nothing was charged (a session with no payment required)
    try:
        intent = client().v1.payment_intents.retrieve(payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]})
    except stripe.StripeError as error:
        current_app.logger.warning("Could not read Stripe's fee for %s: %s", payment_intent_id, type(error).__name__)
        return None
    charge = _as_dict(intent).get("latest_charge")
    balance = charge.get("balance_transaction") if isinstance(charge, dict) else None
    if not isinstance(balance, dict) or balance.get("currency") != "thb" or not _satang(balance.get("fee")):
        current_app.logger.warning("Stripe's payment %s has no settled balance transaction in baht yet", payment_intent_id)
        return None
    return int(balance["fee"])


def record_missing_fees(order_ids: list[int]) -> int:
    """Read Stripe's fee for these orders' Stripe payments that have none yet; returns how many are still unknown."""
    missing = db.session.scalars(
        select(Payment).where(Payment.order_id.in_(order_ids), Payment.method == "stripe", Payment.fee_satang.is_(None))
        .order_by(Payment.id)
    ).all()
    fees = {payment.id: charge_fee(payment.reference) for payment in missing}
    known = {payment_id: fee for payment_id, fee in fees.items() if fee is not None}
    if known:
        begin_write()
        for payment_id, fee in known.items():
            db.session.execute(update(Payment).where(Payment.id == payment_id, Payment.fee_satang.is_(None)).values(fee_satang=fee))
        db.session.commit()
    return len(fees) - len(known)


def _flag_mismatch(order: Order, session: dict) -> None:
    begin_write()
    locked = db.session.get(Order, order.id)
    if locked is None:
        return
    amount = session.get("amount_total")
    if isinstance(amount, int) and session.get("currency") == "thb":
        lifecycle.flag(locked, "stripe_amount_mismatch", session=str(session.get("id")), amount_satang=amount,
                       total_satang=order.total_satang)
    else:
        lifecycle.flag(locked, "stripe_other_currency", session=str(session.get("id")),
                       paid=f"{amount} {session.get('currency')}", total_satang=order.total_satang)
    db.session.commit()


def session_expired(session: Any) -> str:
    """A session the shop opened for this order ran out unpaid: release the stock unless another attempt is open.

    An expiry naming a session the shop never opened for the order it names changes nothing and
    is flagged on that order for an admin.
    """
    session = _as_dict(session)
    order = _order_for(session)
    attempt = db.session.scalar(select(PaymentAttempt).where(PaymentAttempt.session_id == session.get("id")))
    if attempt is None or order is None or attempt.order_id != order.id:
        current_app.logger.error("Stripe says session %s expired, naming order %s; the shop opened it for %s",
                                 session.get("id"), order.number if order else None, attempt.order_id if attempt else "no order")
        if order is None:
            db.session.rollback()
            return "unknown session"
        begin_write()
        locked = db.session.scalar(select(Order).where(Order.id == order.id).with_for_update())
        if locked is None:
            db.session.rollback()
            return "unknown session"
        flag_for_admin(locked, "stripe_expiry_not_ours", number=order.number)
        db.session.commit()
        return "expiry of a session not ours: flagged"
    _set_attempt(session["id"], "expired")
    if order.status != "awaiting_payment":
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
    """A refund made or changed at Stripe (charge.refunded / refund.*): record what is new and fits.

    A refund is booked only against a Stripe payment the shop recorded for a paid order, and only
    up to what was paid and not yet refunded; anything else is flagged on the order, not booked.
    """
    data = _as_dict(obj)
    if data.get("object") == "charge":
        items, charge_intent = (data.get("refunds") or {}).get("data") or [], data.get("payment_intent")
    else:
        items, charge_intent = [data], None
    outcomes = Counter(_record_provider_refund(item, charge_intent) for item in items if item.get("status") in {"succeeded", "pending"})
    summary = f"refunds recorded: {outcomes['recorded']}"
    return summary + (f", flagged: {outcomes['flagged']}" if outcomes["flagged"] else "")


def _record_provider_refund(item: dict, charge_intent: str | None) -> str:
    reference, amount, metadata = item["id"], int(item["amount"]), item.get("metadata") or {}
    intent = item.get("payment_intent") or charge_intent
    begin_write()
    if db.session.scalar(select(Refund.id).where(Refund.reference == reference)) is not None:
        db.session.rollback()
        return "known"
    number = metadata.get("order_number")
    named_id = db.session.scalar(select(Order.id).where(Order.number == number)) if number else None
    payment = db.session.scalar(select(Payment).where(Payment.method == "stripe", Payment.reference == intent)) if intent else None
    ids = sorted({i for i in (named_id, payment.order_id if payment else None) if i is not None})
    orders = {o.id: o for o in db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id).with_for_update())}
    named = orders.get(named_id) if named_id else None
    order = orders.get(payment.order_id) if payment else None
    if payment is None or order is None or (named is not None and named.id != order.id):
        current_app.logger.error("Stripe refund %s (payment %s) names order %s; the shop recorded that payment for %s",
                                 reference, intent, number, order.number if order else "no order")
        if named is None:
            db.session.rollback()
            return "unknown"
        flag_for_admin(named, "stripe_refund_unknown_payment", amount_satang=amount, number=named.number)
        db.session.commit()
        return "flagged"
    if order.status != "paid":
        flag_for_admin(order, "stripe_refund_unpaid_order", amount_satang=amount, number=order.number)
        db.session.commit()
        return "flagged"
    left = min(payment.amount_satang, owed.paid_total(order.id) - owed.refunded_total(order.id))
    if amount > left:
        flag_for_admin(order, "stripe_refund_too_large", amount_satang=amount, number=order.number, left_satang=max(left, 0))
        db.session.commit()
        return "flagged"
    lines, shipments = _selection_that_fits(order, metadata.get("selection", ""), amount)
    refund = lifecycle.book_refund(order, reference, "stripe", lines, shipments, amount,
                                   restock=bool(lines) and metadata.get("restock") == "1",
                                   reason="" if lines else "made at Stripe", spread=not lines)
    lifecycle.commit_refund(refund)
    return "recorded"


def _selection_that_fits(order: Order, text: str, amount: int) -> tuple[dict[int, int], list[int]]:
    """The lines (and shipping) the shop asked Stripe to refund, if they still fit this order and amount."""
    if not text:
        return {}, []
    try:
        lines, shipments = owed.decode_selection(text)
        lines = {k: v for k, v in lines.items() if v}
        if not set(shipments) <= {s.id for s in order.shipments}:
            raise owed.RefundTooLarge()
        products, shipping = owed.plan(order, lines, shipments)
    except (ValueError, DomainError):
        products, shipping = -1, -1
    if products + shipping != amount:
        current_app.logger.warning("Stripe refund for order %s names lines that do not fit it; spread by value", order.number)
        return {}, []
    return lines, shipments
