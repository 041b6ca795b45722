"""Placing orders, holding their stock until paid, expiring them, and recording payments.

Each public function is one business action in one transaction.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.extensions import begin_write, db
from shop.metrics import count
from shop.models import Cart, Order, OrderLine, Payment, Shipment
from shop.models._base import utcnow
from shop.services import cart as carts
from shop.services import inventory, payments
from shop.services.errors import CartHasProblems, DomainError, EmptyCart, OrderClosed, OutOfStock, PriceChanged
from shop.services.notifications import send_email
from shop.services.thai import ThaiAddress, to_bangkok


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    contact_name: str
    phone: str
    address_line: str
    address: ThaiAddress


def _new_order_number(now: datetime) -> str:
    """RL-261125-4821: the Bangkok date and four digits, easy to read out on the phone."""
    day = to_bangkok(now).strftime("%y%m%d")
    while True:
        number = f"RL-{day}-{secrets.randbelow(10_000):04d}"
        if not db.session.scalar(select(Order.id).where(Order.number == number)):
            return number


def _order_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="order-link")


def order_access_key(number: str) -> str:
    """The signed key in a guest's order link (emailed, and shown after checkout)."""
    return _order_signer().dumps(number)


def is_order_access_key(number: str, key: str) -> bool:
    try:
        return _order_signer().loads(key or "") == number
    except BadSignature:
        return False


def order_url(order: Order) -> str:
    return f"{current_app.config['PUBLIC_URL']}/orders/{order.number}?key={order_access_key(order.number)}"


def place_order_token(cart: Cart) -> str:
    """The review page's one-time key for placing the order, bound to this cart (32 hex digits)."""
    nonce = secrets.token_hex(8)
    return nonce + _token_mac(nonce, cart.id)


def is_place_order_token(token: str, cart: Cart | None) -> bool:
    """True only for a token made for this cart: another visitor's token neither places nor finds an order."""
    if cart is None or not isinstance(token, str) or len(token) != 32:
        return False
    return hmac.compare_digest(token[16:], _token_mac(token[:16], cart.id))


def _token_mac(nonce: str, cart_id: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, f"place-order:{cart_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def order_by_key(idempotency_key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == idempotency_key))


def order_by_number(number: str) -> Order | None:
    return db.session.scalar(
        select(Order)
        .where(Order.number == number)
        .options(selectinload(Order.shipments).selectinload(Shipment.lines), selectinload(Order.payments))
    )


def place_order(
    cart: Cart | None,
    details: CheckoutDetails,
    *,
    payment_method: str,
    idempotency_key: str,
    expected_fingerprint: str,
    user_id: int | None,
    lang: str,
    now: datetime | None = None,
) -> Order:
    """Turn the cart into an order with one shipment per centre and hold its stock.

    A replay with the same idempotency key returns the order already placed.
    """
    now = now or utcnow()
    begin_write()
    existing = order_by_key(idempotency_key)
    if existing is not None:
        return existing
    summary = carts.summarise(cart)
    if summary.is_empty:
        raise EmptyCart()
    if summary.has_problems:
        raise CartHasProblems()
    if summary.fingerprint() != expected_fingerprint:
        raise PriceChanged()
    method = payments.available_methods(current_app).get(payment_method)
    if method is None:
        raise DomainError()

    order = Order(
        number=_new_order_number(now),
        idempotency_key=idempotency_key,
        user_id=user_id,
        email=details.email,
        contact_name=details.contact_name,
        phone=details.phone,
        address_line=details.address_line,
        subdistrict_code=details.address.subdistrict_code,
        subdistrict=details.address.subdistrict,
        district=details.address.district,
        province_code=details.address.province_code,
        province=details.address.province,
        postcode=details.address.postcode,
        lang=lang,
        status="awaiting_payment",
        payment_method=method.code,
        subtotal_satang=summary.subtotal_satang,
        shipping_satang=summary.shipping_satang,
        total_satang=summary.total_satang,
        reserved_until=now + method.hold_time(current_app.config),
        created_at=now,
    )
    for group in summary.groups:
        shipment = Shipment(centre_id=group.centre.id, shipping_fee_satang=group.shipping_satang, status="to_pack")
        order.shipments.append(shipment)
        for line in group.lines:
            variant, product = line.variant, line.product
            order_line = OrderLine(
                variant_id=variant.id,
                product_id=product.id,
                centre_id=group.centre.id,
                province_code=group.centre.province_code,
                region=group.centre.region,
                sku=variant.sku,
                product_name_th=product.name_th,
                product_name_en=product.name_en,
                variant_name_th=variant.name_th,
                variant_name_en=variant.name_en,
                unit_price_satang=variant.price_satang,
                quantity=line.quantity,
                line_total_satang=line.line_total_satang,
            )
            shipment.lines.append(order_line)
            order.lines.append(order_line)
    try:
        db.session.add(order)
        db.session.flush()
        inventory.reserve([(line.variant_id, line.quantity) for line in order.lines], order.id)
        if cart is not None:
            carts.clear(cart)
        db.session.commit()
    except OutOfStock:
        db.session.rollback()
        count("stock_outs", where="checkout")
        raise
    except IntegrityError:
        db.session.rollback()
        existing = order_by_key(idempotency_key)  # the same checkout placed by a concurrent retry
        if existing is not None:
            return existing
        raise
    count("orders_placed", method=order.payment_method)
    send_email(order.email, "order_placed", order.lang, order=order, order_url=order_url(order))
    return order


def _close_unpaid(order: Order, status: str, note: str, now: datetime) -> None:
    """An unpaid order ends (expired or cancelled): its held stock goes back on sale."""
    inventory.release(_hold(order), order.id, note=note)
    order.status = status
    order.closed_at = now
    for shipment in order.shipments:
        shipment.status = "cancelled"


def _hold(order: Order) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in order.lines]


def _lock(order_id: int) -> Order | None:
    return db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())


def next_expiry() -> datetime | None:
    return db.session.scalar(
        select(func.min(Order.reserved_until)).where(Order.status == "awaiting_payment")
    )


def expire_overdue_orders(now: datetime | None = None, limit: int = 500) -> int:
    """Expire unpaid orders past their hold and give their stock back; returns how many."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Order.id)
        .where(Order.status == "awaiting_payment", Order.reserved_until < now)
        .order_by(Order.id)
        .limit(limit)
    ).all()
    expired = 0
    for order_id in due:
        begin_write()
        order = db.session.scalar(
            select(Order).where(Order.id == order_id).with_for_update(skip_locked=True)
        )
        if order is None or order.status != "awaiting_payment" or order.reserved_until is None or to_utc(order.reserved_until) >= now:
            db.session.rollback()
            continue
        _close_unpaid(order, "expired", "reservation expired", now)
        db.session.commit()
        expired += 1
    if expired:
        count("holds_expired", expired)
    return expired


def expire_order_now(order_id: int, note: str, now: datetime | None = None) -> bool:
    """Release an unpaid order's stock at once (its payment session ended unpaid)."""
    now = now or utcnow()
    begin_write()
    order = _lock(order_id)
    if order is None or order.status != "awaiting_payment":
        db.session.rollback()
        return False
    _close_unpaid(order, "expired", note, now)
    db.session.commit()
    count("holds_expired")
    return True


def expire_if_due(now: datetime | None = None) -> int:
    """The lazy path: one indexed read, and expiry only when a hold has run out."""
    now = now or utcnow()
    soonest = next_expiry()
    if soonest is None or to_utc(soonest) >= now:
        db.session.rollback()  # end the read transaction (SQLite holds a lock for it)
        return 0
    return expire_overdue_orders(now)


def to_utc(moment: datetime) -> datetime:

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cancel_unpaid_order(order: Order, now: datetime | None = None) -> None:
    """The customer changed their mind before paying: release the stock."""
    now = now or utcnow()
    begin_write()
    locked = _lock(order.id)
    if locked is None or locked.status != "awaiting_payment":
        db.session.rollback()
        raise OrderClosed()
    _close_unpaid(locked, "cancelled", "cancelled by the customer", now)
    db.session.commit()


PAID, REVIVED, DUPLICATE, FLAGGED = "paid", "revived", "duplicate", "flagged"


def record_payment(
    order_id: int,
    *,
    method: str,
    reference: str,
    amount_satang: int,
    recorded_by_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Record money received for an order, exactly once per (method, reference).

    Never loses a payment: an expired order is revived if its stock is still there, and
    anything that cannot be honoured is flagged for a person (refund due) instead.
    """
    now = now or utcnow()
    if not isinstance(amount_satang, int) or amount_satang <= 0:
        raise ValueError("amount must be a positive int number of satang")
    begin_write()
    order = _lock(order_id)
    if order is None:
        db.session.rollback()
        raise LookupError(f"no order {order_id}")
    if db.session.scalar(select(Payment.id).where(Payment.method == method, Payment.reference == reference)):
        db.session.rollback()
        return DUPLICATE
    db.session.add(
        Payment(order_id=order.id, method=method, reference=reference, amount_satang=amount_satang,
                recorded_by_id=recorded_by_id, created_at=now)
    )
    outcome = PAID
    if amount_satang != order.total_satang:
        outcome = FLAGGED
        _flag(order, f"Payment {reference} of {amount_satang} satang does not match the total "
                     f"{order.total_satang}: check it and refund or collect the difference.")
    elif order.status == "awaiting_payment":
        _mark_paid(order, now)
    elif order.status == "expired":
        try:
            with db.session.begin_nested():
                inventory.reserve(_hold(order), order.id)
            _mark_paid(order, now)
            outcome = REVIVED
            _flag(order, f"Paid after the reservation expired ({reference}); the stock was still there, so the order was revived.")
        except OutOfStock:
            outcome = FLAGGED
            _flag(order, f"Paid after the reservation expired ({reference}) and the stock is gone: refund due.")
    else:
        outcome = FLAGGED
        _flag(order, f"Payment {reference} arrived for an order that is {order.status}: refund due.")
    db.session.commit()
    if outcome in {PAID, REVIVED}:
        count("payments_confirmed", method=method)
        send_email(order.email, "order_paid", order.lang, order=order, order_url=order_url(order))
    return outcome


def _mark_paid(order: Order, now: datetime) -> None:
    from shop.services import ledger

    ledger.record_order_paid(order, now)  # the sale counts for its centres, in this transaction
    order.status = "paid"
    order.paid_at = now
    order.closed_at = None
    order.reserved_until = None
    for shipment in order.shipments:
        shipment.status = "to_pack"


def _flag(order: Order, text: str) -> None:
    current_app.logger.warning("Order %s needs attention: %s", order.number, text)
    order.attention = (order.attention + "\n" + text).strip()
