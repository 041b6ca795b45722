"""Placing orders, and the signed links that let a guest come back to one.

What happens to an order after it is placed is the lifecycle's (ordering.lifecycle).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Integer, String, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop import prepared
from shop.extensions import begin_write, db
from shop.language_urls import localised_path
from shop.metrics import count
from shop.models import Cart, Order, OrderLine, Shipment
from shop.models._base import utcnow
from shop.services.errors import CartHasProblems, EmptyCart, NoPrivacyConsent, OutOfStock, PriceChanged, SessionPassed
from shop.services.ordering import cart as carts
from shop.services.ordering import events, lifecycle
from shop.services.thai import ThaiAddress, normalise_tax_id, to_bangkok


@dataclass(frozen=True)
class InvoiceDetails:
    """An organisation asking for a full tax invoice: its name, address, tax ID and branch (00000: head office)."""

    name: str
    address: str
    tax_id: str
    branch: str


class InvoiceProblem(ValueError):
    """`field` is the form field to blame; `code` picks the message."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


def invoice_details(name: str, address: str, tax_id: str, branch: str) -> InvoiceDetails | None:
    """The full-tax-invoice request, checked: None when nothing was given; InvoiceProblem when part is missing or wrong."""
    name, address, tax_id, branch = (v.strip() for v in (name or "", address or "", tax_id or "", branch or ""))
    if not (name or address or tax_id or branch):
        return None
    if not name:
        raise InvoiceProblem("invoice_name", "missing")
    if not address:
        raise InvoiceProblem("invoice_address", "missing")
    checked = normalise_tax_id(tax_id)
    if checked is None:
        raise InvoiceProblem("invoice_tax_id", "tax_id")
    if branch and not (branch.isdigit() and len(branch) <= 5):
        raise InvoiceProblem("invoice_branch", "branch")
    return InvoiceDetails(name=name[:200], address=" ".join(address.split())[:500], tax_id=checked,
                          branch=f"{int(branch or 0):05d}")


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    contact_name: str
    phone: str
    address_line: str
    address: ThaiAddress
    invoice: InvoiceDetails | None = None
    # PDPA: when the buyer ticked "I agree to the privacy notice", and which version it was.
    privacy_consent_at: datetime | None = None
    privacy_notice_version: str = ""


def _new_order_number(now: datetime) -> str:
    """RL-261125-4821: the Bangkok date and four digits, easy to read out on the phone."""
    day = to_bangkok(now).strftime("%y%m%d")
    while True:
        number = f"RL-{day}-{secrets.randbelow(10_000):04d}"
        if not db.session.scalar(select(Order.id).where(Order.number == number)):
            return number


def _order_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="order-link")


def place_order_token(cart: Cart) -> str:
    """The review page's one-time key for placing the order, bound to this cart (32 hex digits)."""
    nonce = secrets.token_hex(8)
    return nonce + _token_mac(nonce, cart.id)


def is_place_order_token(token: str, cart: Cart | carts.CartRef | None) -> bool:
    """True only for a token made for this cart: another visitor's token neither places nor finds an order."""
    if cart is None or not isinstance(token, str) or len(token) != 32:
        return False
    return hmac.compare_digest(token[16:], _token_mac(token[:16], cart.id))


def _token_mac(nonce: str, cart_id: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, f"place-order:{cart_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def order_access_key(number: str) -> str:
    """The signed key in a guest's order link (emailed, and shown after checkout)."""
    return _order_signer().dumps(number)


def is_order_access_key(number: str, key: str) -> bool:
    try:
        return _order_signer().loads(key or "") == number
    except BadSignature:
        return False


def order_url(order: Order) -> str:
    """The order's own page, in the language the customer ordered in (English under /en/)."""
    path = localised_path(f"/orders/{order.number}", order.lang)
    return f"{current_app.config['PUBLIC_URL']}{path}?key={order_access_key(order.number)}"


def order_by_key(idempotency_key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == idempotency_key))


def order_by_number(number: str) -> Order | None:
    return db.session.scalar(
        select(Order)
        .where(Order.number == number)
        .options(selectinload(Order.shipments).selectinload(Shipment.lines), selectinload(Order.payments))
    )


def order_by_id(order_id: int) -> Order | None:
    """The order with its parcels, lines and payments (the back office's order page)."""
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.shipments).selectinload(Shipment.lines), selectinload(Order.payments))
    )


# Built once (each refusal in a rush runs it): the order placed with a key, and whether the cart
# is short. On PostgreSQL through the thread's prepared connection (shop/prepared.py): a refusal
# takes no pooled connection.
_PLACED_OR_SHORT = prepared.PreparedRead("shop_placed_or_short", select(
    select(Order.id).where(Order.idempotency_key == bindparam("key", type_=String)).scalar_subquery(),
    carts.short_of_stock_query(bindparam("cart_id", type_=Integer)).exists(),
), [int, prepared.as_bool])


def placed_or_short(idempotency_key: str, cart_id: int | None) -> tuple[int | None, bool]:
    """In one round trip, outside any transaction: the id of an order already placed with this
    key, and whether a line of the cart wants more units than are left (never, without a cart)."""
    row = _PLACED_OR_SHORT.first({"key": idempotency_key, "cart_id": cart_id})
    assert row is not None  # a SELECT without FROM: always one row
    return row[0], bool(row[1])


def place_order(
    cart: Cart | carts.CartRef | None,
    details: CheckoutDetails,
    *,
    payment_method: str,
    hold_time: timedelta,
    idempotency_key: str,
    expected_fingerprint: str,
    user_id: int | None,
    lang: str,
    now: datetime | None = None,
    attempts: int = 3,
) -> Order:
    """Turn the cart into an order with one shipment per centre and hold its stock.

    A replay with the same idempotency key returns the order already placed. Two buyers who
    draw the same free order number at the same moment cannot both insert it: the later one
    tries again with another number (up to `attempts` times).

    Reads first, locks last: the cart, prices, stock and a free order number are read before the
    write transaction, so a buyer refused ("sold out", prices changed) never waits for a lock,
    and the stock rows are locked only by the guarded UPDATEs just before the commit (which also
    check the prices the order was built with: services/ordering/inventory.reserve). In a rush
    for the last units most buyers are too late: one read (the cart's lines short of stock, and
    any order with this key) refuses them before the cart is summarised.
    """
    now = now or utcnow()
    cart_id = cart.id if cart is not None else None
    placed_id, short = placed_or_short(idempotency_key, cart_id)
    if placed_id is not None:
        # Read outside this session, the order may be newer than its snapshot (SQLite, where a
        # signed-in visitor's user was read already): end that snapshot before looking it up.
        db.session.commit()
        return db.session.get_one(Order, placed_id)
    if details.privacy_consent_at is None or not details.privacy_notice_version:
        raise NoPrivacyConsent()
    if short:
        raise CartHasProblems()  # too late for the last units: refused after one indexed read
    db.session.commit()  # a fresh read of what is committed now (SQLite reads from a snapshot)
    summary = carts.summarise(cart_id, now, images=False)
    if summary.is_empty:
        existing = order_by_key(idempotency_key)  # a concurrent retry placed it (and emptied the cart) meanwhile
        if existing is not None:
            return existing
        raise EmptyCart()
    if summary.has_passed_session:
        raise SessionPassed()
    if summary.has_problems:
        raise CartHasProblems()
    if summary.fingerprint() != expected_fingerprint:
        raise PriceChanged()

    number = _new_order_number(now)
    order = Order(
        number=number,
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
        invoice_name=details.invoice.name if details.invoice else "",
        invoice_address=details.invoice.address if details.invoice else "",
        invoice_tax_id=details.invoice.tax_id if details.invoice else "",
        invoice_branch=details.invoice.branch if details.invoice else "",
        lang=lang,
        privacy_consent_at=details.privacy_consent_at,
        privacy_notice_version=details.privacy_notice_version[:20],
        status="awaiting_payment",
        payment_method=payment_method,
        subtotal_satang=summary.subtotal_satang,
        shipping_satang=summary.shipping_satang,
        total_satang=summary.total_satang,
        reserved_until=now + hold_time,
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
                no_parcel=not line.needs_parcel,
            )
            shipment.lines.append(order_line)
            order.lines.append(order_line)
    begin_write()  # the short write: insert the order, then hold its stock, then commit
    try:
        db.session.add(order)
        db.session.flush()
        if cart_id is not None:
            carts.clear_by_id(cart_id)
        lifecycle.placed(order)
        events.commit()
    except OutOfStock:
        events.rollback()
        count("stock_outs", where="checkout")
        raise
    except PriceChanged:
        events.rollback()
        raise
    except IntegrityError:
        events.rollback()
        existing = order_by_key(idempotency_key)  # the same checkout placed by a concurrent retry
        if existing is not None:
            return existing
        if attempts > 1 and db.session.scalar(select(Order.id).where(Order.number == number)):
            return place_order(cart, details, payment_method=payment_method, hold_time=hold_time,
                               idempotency_key=idempotency_key, expected_fingerprint=expected_fingerprint,
                               user_id=user_id, lang=lang, now=now, attempts=attempts - 1)
        raise
    return order
