"""Carts for guests and customers: prices always re-read, problems flagged, per-centre groups."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import BindParameter, DateTime, Integer, Select, bindparam, delete, func, select
from sqlalchemy.orm import joinedload, selectinload

from shop import prepared
from shop.extensions import begin_write, db
from shop.metrics import count
from shop.models import Cart, CartItem, Centre, Product, Variant
from shop.models._base import utcnow
from shop.services import parsing
from shop.services.errors import BadQuantity, NotAvailable, NotInCart, OutOfStock, SessionPassed, UnknownProduct
from shop.services.parsing import parse_int
from shop.services.thai import as_utc

MAX_QUANTITY = 99


def parse_quantity(raw: object) -> int:
    """A whole number from 1 to 99, or BadQuantity."""
    text = str(raw if raw is not None else "").strip()
    quantity = parse_int(text, 1, MAX_QUANTITY)
    if quantity is None:
        raise BadQuantity(value=text[:20])
    return quantity


def parse_id(raw: object) -> int:
    """A variant id from a form, or UnknownProduct."""
    variant_id = parsing.parse_id(raw)
    if variant_id is None:
        raise UnknownProduct()
    return variant_id


# Built once: every request that shows the cart's count or checks out reads one of these, and
# building a statement and its cache key anew cost more than the read's own Python.
_CART_OF_USER = select(Cart).where(Cart.user_id == bindparam("user_id"))
_GUEST_CART = select(Cart).where(Cart.id == bindparam("cart_id"), Cart.user_id.is_(None))


def find_cart(cart_id: int | None, user_id: int | None, lifetime_days: int, now: datetime | None = None) -> Cart | None:
    """The customer's cart, else the guest cart in the session; carts left too long have expired."""
    now = now or utcnow()
    if user_id is not None:
        cart = db.session.scalar(_CART_OF_USER, {"user_id": user_id})
    elif cart_id is not None:
        cart = db.session.scalar(_GUEST_CART, {"cart_id": cart_id})
    else:
        return None
    if cart is not None and as_utc(cart.updated_at) < now - timedelta(days=lifetime_days):
        begin_write()
        db.session.delete(db.session.merge(cart))
        db.session.commit()
        return None
    return cart


@dataclass(frozen=True)
class CartRef:
    """A cart by its id alone: all that placing an order needs of it before it reads the lines."""

    id: int


def _cart_ref_statement(*where: Any) -> Select:
    return select(Cart.id, Cart.updated_at < bindparam("expired_before", type_=DateTime(timezone=True))).where(*where)


# On PostgreSQL through the thread's prepared connection (shop/prepared.py): checkout's first
# reads in a rush take no pooled connection, and build no object.
_USER_CART_REF = prepared.PreparedRead(
    "shop_user_cart", _cart_ref_statement(Cart.user_id == bindparam("user_id", type_=Integer)), [int, prepared.as_bool])
_GUEST_CART_REF = prepared.PreparedRead(
    "shop_guest_cart", _cart_ref_statement(Cart.id == bindparam("cart_id", type_=Integer), Cart.user_id.is_(None)),
    [int, prepared.as_bool])


def find_cart_ref(cart_id: int | None, user_id: int | None, lifetime_days: int, now: datetime | None = None) -> CartRef | None:
    """The cart find_cart would give, as its id only, read outside any transaction (a cart left
    too long is deleted by find_cart, as there)."""
    now = now or utcnow()
    params = {"expired_before": now - timedelta(days=lifetime_days), "user_id": user_id, "cart_id": cart_id}
    if user_id is not None:
        row = _USER_CART_REF.first(params)
    elif isinstance(cart_id, int):
        row = _GUEST_CART_REF.first(params)
    else:
        return None
    if row is None:
        return None
    if row[1]:
        find_cart(cart_id, user_id, lifetime_days, now)  # deletes it
        return None
    return CartRef(row[0])


def new_cart(user_id: int | None = None) -> Cart:
    begin_write()
    cart = Cart(user_id=user_id)
    db.session.add(cart)
    db.session.commit()
    return cart


class _Session(Protocol):
    @property
    def starts_at(self) -> datetime: ...


class _SessionOption(Protocol):
    @property
    def workshop_session(self) -> _Session | None: ...


def session_has_passed(variant: _SessionOption, now: datetime | None = None) -> bool:
    """A workshop session that has started (or is over) can no longer be booked."""
    session = variant.workshop_session
    return session is not None and as_utc(session.starts_at) <= (now or utcnow())


def _sellable_variant(variant_id: int) -> Variant:
    variant = db.session.get(Variant, variant_id, options=[joinedload(Variant.product), joinedload(Variant.workshop_session)])
    if variant is None:
        raise UnknownProduct()
    if not variant.active or variant.product.status != "active":
        raise NotAvailable()
    if session_has_passed(variant):
        raise SessionPassed()
    return variant


def add_item(cart: Cart, variant_id: int, quantity: int) -> CartItem:
    """Put `quantity` more of a variant in the cart, never more than can be bought."""
    begin_write()
    variant = _sellable_variant(variant_id)
    item = next((i for i in cart.items if i.variant_id == variant_id), None)
    wanted = quantity + (item.quantity if item else 0)
    if wanted > MAX_QUANTITY:
        raise BadQuantity()
    if wanted > variant.available:
        count("stock_outs", where="cart")
        raise OutOfStock(available=variant.available)
    if item is None:
        item = CartItem(variant_id=variant_id, quantity=quantity)
        cart.items.append(item)
    else:
        item.quantity = wanted
    cart.updated_at = utcnow()
    db.session.commit()
    return item


def item_count(cart_id: int | None, user_id: int | None, lifetime_days: int, now: datetime | None = None) -> int:
    """How many items the visitor's cart holds, for the header: one read, no writes; 0 without a cart."""
    if user_id is None and cart_id is None:
        return 0
    stmt = select(Cart.updated_at, func.coalesce(func.sum(CartItem.quantity), 0)).join(CartItem, CartItem.cart_id == Cart.id)
    if user_id is not None:
        stmt = stmt.where(Cart.user_id == user_id)
    else:
        stmt = stmt.where(Cart.id == cart_id, Cart.user_id.is_(None))
    row = db.session.execute(stmt.group_by(Cart.id, Cart.updated_at)).first()
    if row is None or as_utc(row[0]) < (now or utcnow()) - timedelta(days=lifetime_days):
        return 0  # an expired cart counts nothing (find_cart removes it when next asked)
    return int(row[1])


def step_quantity(raw: object, step: object) -> int:
    """The quantity a − or + button asks for: the shown quantity moved by one, kept from 1 to 99."""
    try:
        current = parse_quantity(raw)
    except BadQuantity:
        current = 1
    change = {"-1": -1, "+1": 1, "1": 1}.get(str(step or "").strip())
    if change is None:
        raise BadQuantity(value=str(step)[:20])
    return min(max(current + change, 1), MAX_QUANTITY)


def set_quantity(cart: Cart, variant_id: int, quantity: int) -> None:
    begin_write()
    item = next((i for i in cart.items if i.variant_id == variant_id), None)
    if item is None:
        raise NotInCart()
    variant = _sellable_variant(variant_id)
    if quantity > variant.available:
        raise OutOfStock(available=variant.available)
    item.quantity = quantity
    cart.updated_at = utcnow()
    db.session.commit()


def remove_item(cart: Cart, variant_id: int) -> None:
    begin_write()
    item = next((i for i in cart.items if i.variant_id == variant_id), None)
    if item is None:
        raise NotInCart()
    cart.items.remove(item)
    cart.updated_at = utcnow()
    db.session.commit()


def merge_into_account(guest_cart: Cart | None, user_id: int) -> Cart | None:
    """On sign-in the guest's items join the account's cart (quantities added, capped by stock)."""
    begin_write()
    account_cart = db.session.scalar(select(Cart).where(Cart.user_id == user_id))
    if guest_cart is None or guest_cart.user_id is not None:
        return account_cart
    if account_cart is None:
        guest_cart.user_id = user_id
        guest_cart.updated_at = utcnow()
        db.session.commit()
        return guest_cart
    for item in guest_cart.items:
        existing = next((i for i in account_cart.items if i.variant_id == item.variant_id), None)
        variant = db.session.get(Variant, item.variant_id)
        cap = min(MAX_QUANTITY, max(variant.available if variant else 0, 1))
        if existing is None:
            account_cart.items.append(CartItem(variant_id=item.variant_id, quantity=min(item.quantity, cap)))
        else:
            existing.quantity = min(existing.quantity + item.quantity, cap)
    account_cart.updated_at = utcnow()
    db.session.delete(guest_cart)
    db.session.commit()
    return account_cart


def short_of_stock_query(cart_id: int | BindParameter[int]) -> Select:
    """The lines of this cart that want more units than are left: an indexed read, no lock.

    Checkout asks this first, so in a rush for the last units the many buyers who are too late
    are refused cheaply (the guarded UPDATE still decides for those who pass)."""
    return (
        select(CartItem.id)
        .join(Variant, Variant.id == CartItem.variant_id)
        .where(CartItem.cart_id == cart_id, CartItem.quantity > Variant.stock_on_hand - Variant.stock_reserved)
    )


def clear(cart: Cart) -> None:
    """Empty the cart (inside the caller's transaction)."""
    clear_by_id(cart.id)


def clear_by_id(cart_id: int) -> None:
    """Empty the cart with this id (inside the caller's transaction), with no read first."""
    db.session.execute(delete(CartItem).where(CartItem.cart_id == cart_id))
    loaded = db.session.identity_map.get(db.session.identity_key(Cart, cart_id))
    if loaded is not None:
        db.session.expire(loaded, ["items"])


# --- What the cart page and checkout show -------------------------------------------------

@dataclass
class CartLine:
    variant: Variant
    quantity: int
    problem: str = ""  # "", "unavailable", "session_passed", "out_of_stock", "not_enough"

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def unit_price_satang(self) -> int:
        return self.variant.price_satang

    @property
    def line_total_satang(self) -> int:
        return self.variant.price_satang * self.quantity

    @property
    def needs_parcel(self) -> bool:
        """A workshop seat is not posted."""
        return self.product.kind != "workshop"


@dataclass
class CentreGroup:
    centre: Centre
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal_satang(self) -> int:
        return sum(line.line_total_satang for line in self.lines if not line.problem)

    @property
    def parcel_subtotal_satang(self) -> int:
        """What goes in the parcel: the shipping fee and its free threshold look at this only."""
        return sum(line.line_total_satang for line in self.lines if not line.problem and line.needs_parcel)

    @property
    def shipping_satang(self) -> int:
        parcel = self.parcel_subtotal_satang
        if parcel == 0:
            return 0
        threshold = self.centre.free_shipping_from_satang
        if threshold is not None and parcel >= threshold:
            return 0
        return self.centre.shipping_fee_satang


@dataclass
class CartSummary:
    groups: list[CentreGroup]

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def subtotal_satang(self) -> int:
        return sum(g.subtotal_satang for g in self.groups)

    @property
    def shipping_satang(self) -> int:
        return sum(g.shipping_satang for g in self.groups)

    @property
    def total_satang(self) -> int:
        return self.subtotal_satang + self.shipping_satang

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)

    @property
    def has_passed_session(self) -> bool:
        return any(line.problem == "session_passed" for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    def fingerprint(self) -> str:
        """Changes whenever an item, quantity, price or fee changes: checkout compares it."""
        parts = [f"{ln.variant.id}:{ln.quantity}:{ln.unit_price_satang}:{ln.problem}" for ln in self.lines]
        parts += [f"c{g.centre.id}:{g.shipping_satang}" for g in self.groups]
        return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:32]


def summarise(cart: Cart | int | None, now: datetime | None = None, *, images: bool = True) -> CartSummary:
    """Group the cart (or the cart with this id) by centre with today's prices, stock and shipping,
    in a few queries; images=False skips the products' photos (placing an order shows none)."""
    now = now or utcnow()
    if cart is None:
        return CartSummary(groups=[])
    cart_id = cart if isinstance(cart, int) else cart.id
    product_options = [joinedload(Product.centre)] + ([selectinload(Product.images)] if images else [])
    items = db.session.scalars(
        select(CartItem)
        .where(CartItem.cart_id == cart_id)
        .options(
            joinedload(CartItem.variant).options(
                joinedload(Variant.product).options(*product_options),
                joinedload(Variant.workshop_session),
            )
        )
        .order_by(CartItem.id)
    ).all()
    groups: dict[int, CentreGroup] = {}
    for item in items:
        variant = item.variant
        product = variant.product
        if not variant.active or product.status != "active":
            problem = "unavailable"
        elif session_has_passed(variant, now):
            problem = "session_passed"
        elif variant.available <= 0:
            problem = "out_of_stock"
        elif item.quantity > variant.available:
            problem = "not_enough"
        else:
            problem = ""
        group = groups.setdefault(product.centre_id, CentreGroup(centre=product.centre))
        group.lines.append(CartLine(variant=variant, quantity=item.quantity, problem=problem))
    return CartSummary(groups=sorted(groups.values(), key=lambda g: g.centre.id))
