"""How money moves: payment methods behind one small interface, above the order's lifecycle.

A method says whether it is offered, how long a placed-but-unpaid order holds its stock, and
what the order page shows the buyer. Money received by any method is recorded through
ordering.lifecycle.record_payment(); refunds through payments.refunds. The lifecycle never
imports this package.

To add a method: a module here with a class like PromptPayTransfer, listed in all_methods().

A PromptPay transfer's customer can save the QR as a picture (qr_picture.py) and send the bank's
transfer slip (slips.py: read, checked by a SlipVerifier, one order per slip); the order then
waits in slip_received for an admin's confirmation.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from flask import Flask, current_app

from shop.models import Cart, Order
from shop.services.errors import DomainError
from shop.services.ordering import checkout
from shop.services.ordering.cart import CartRef
from shop.services.payments.promptpay import PromptPayTransfer
from shop.services.payments.stripe_checkout import StripeCheckout


class PaymentMethod(Protocol):
    code: str

    def label(self) -> str: ...

    def is_available(self, config: dict[str, Any]) -> bool: ...

    def hold_time(self, config: dict[str, Any]) -> timedelta:
        """How long placed-but-unpaid orders keep their stock."""
        ...

    def instructions(self, order, config: dict[str, Any]) -> dict[str, Any]:
        """What the order page needs to show the buyer how to pay."""
        ...


def all_methods() -> dict[str, PaymentMethod]:
    methods: list[PaymentMethod] = [StripeCheckout(), PromptPayTransfer()]
    return {m.code: m for m in methods}


def available_methods(app: Flask) -> dict[str, PaymentMethod]:
    return {code: m for code, m in all_methods().items() if m.is_available(app.config)}


def method(code: str) -> PaymentMethod:
    return all_methods()[code]


def place_order(cart: Cart | CartRef | None, details: checkout.CheckoutDetails, *, payment_method: str, **kwargs: Any) -> Order:
    """Place the order to be paid by an offered method; the method decides how long stock is held."""
    chosen = available_methods(current_app).get(payment_method)
    if chosen is None:
        existing = checkout.order_by_key(kwargs.get("idempotency_key", ""))
        if existing is not None:  # a retried POST after the method was withdrawn: the order stands
            return existing
        raise DomainError()
    return checkout.place_order(cart, details, payment_method=chosen.code, hold_time=chosen.hold_time(current_app.config), **kwargs)
