"""Payment methods behind one small interface; checkout and orders only see this.

A method says whether it is offered, how long it holds the stock, and what the order page
shows the buyer. Money received, by any method, is recorded by checkout.record_payment().
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from flask import Flask


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
    from shop.services.payments.promptpay import PromptPayTransfer
    from shop.services.payments.stripe_checkout import StripeCheckout

    methods: list[PaymentMethod] = [StripeCheckout(), PromptPayTransfer()]
    return {m.code: m for m in methods}


def available_methods(app: Flask) -> dict[str, PaymentMethod]:
    return {code: m for code, m in all_methods().items() if m.is_available(app.config)}


def method(code: str) -> PaymentMethod:
    return all_methods()[code]
