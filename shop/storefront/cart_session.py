"""Which cart belongs to this visitor: the account's when signed in, else the session's."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, session
from flask_login import current_user

from shop.models import Cart
from shop.services.ordering import cart as carts

T = TypeVar("T")


def current_cart() -> Cart | None:
    return _visitors_cart(carts.find_cart)


def current_cart_ref() -> carts.CartRef | None:
    """current_cart() as its id alone, read outside any transaction: what placing an order needs
    before it reads the lines (a refusal in a rush takes no pooled connection)."""
    return _visitors_cart(carts.find_cart_ref)


def _visitors_cart(find: Callable[[int | None, int | None, int], T | None]) -> T | None:
    """The signed-in customer's cart, else the guest cart in the session (forgotten there once gone)."""
    user_id = current_user.id if current_user.is_authenticated else None
    cart = find(session.get("cart_id"), user_id, current_app.config["CART_LIFETIME_DAYS"])
    if cart is None and user_id is None:
        session.pop("cart_id", None)
    return cart


def current_or_new_cart() -> Cart:
    cart = current_cart()
    if cart is None:
        user_id = current_user.id if current_user.is_authenticated else None
        cart = carts.new_cart(user_id)
        if user_id is None:
            session["cart_id"] = cart.id
    return cart
