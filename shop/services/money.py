"""Money is an int number of satang (1 baht = 100 satang); this is where it becomes text and back.

Every amount a person types goes through `parse_amount` (or `check_amount` when a service
gets it as satang): ASCII digits, at most two decimals, and at most the bound for its kind
from shop/config.py, so no typed amount can fill a column or a daily rollup.
"""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l

from shop.services.errors import DomainError

AMOUNT = "MAX_AMOUNT_BAHT"  # a sale, a year's baseline, a transfer received
PRICE = "MAX_PRICE_BAHT"  # a unit price, a shipping fee, a free-shipping threshold
# ASCII only: "١٢".isdigit() and int("١٢") would take Arabic-Indic digits. 30 digits is far past
# any bound and keeps int() away from huge strings.
_BAHT = re.compile(r"([0-9]{1,30})(?:\.([0-9]{1,2}))?")


class BadAmount(DomainError, ValueError):
    """Not an amount in baht; a ValueError too, for callers that only parse."""

    message = _l("Please give an amount in baht, like 1,250 or 89.50.")


class AmountTooLarge(BadAmount):
    def __init__(self, limit_satang: int) -> None:
        super().__init__(_l("The amount is too large: at most %(limit)s.", limit=format_baht(limit_satang)),
                         limit_satang=limit_satang)


def format_baht(satang: int | None) -> str:
    """฿1,250 for whole baht, ฿1,250.50 otherwise; the same in Thai and English."""
    if satang is None:
        return ""
    if not isinstance(satang, int):
        raise TypeError(f"money must be int satang, got {type(satang).__name__}")
    sign = "-" if satang < 0 else ""
    baht, rest = divmod(abs(satang), 100)
    if rest:
        return f"{sign}฿{baht:,}.{rest:02d}"
    return f"{sign}฿{baht:,}"


def parse_baht(text: str) -> int:
    """'1,250.5' -> 125050 satang; BadAmount (a ValueError) otherwise. Not bounded: see parse_amount."""
    cleaned = (text or "").replace(",", "").replace("฿", "").strip()
    match = _BAHT.fullmatch(cleaned)
    if match is None:
        raise BadAmount()
    whole, fraction = match.groups()
    return int(whole) * 100 + int((fraction or "").ljust(2, "0"))


def max_satang(kind: str) -> int:
    """The largest amount of this kind (AMOUNT or PRICE) a person may give, from the configuration."""
    return int(current_app.config[kind]) * 100


def check_amount(satang: int, kind: str = AMOUNT, *, allow_zero: bool = False) -> int:
    """The amount, if it is whole satang from ฿0 (or ฿0.01) up to the bound for its kind."""
    if isinstance(satang, bool) or not isinstance(satang, int) or satang < 0:
        raise BadAmount()
    if satang == 0 and not allow_zero:
        raise BadAmount(_l("The amount must be more than ฿0."))
    limit = max_satang(kind)
    if satang > limit:
        raise AmountTooLarge(limit)
    return satang


def parse_amount(text: str, kind: str = AMOUNT, *, allow_zero: bool = False) -> int:
    """What a person typed in baht, as satang within the bound for its kind; BadAmount or AmountTooLarge."""
    return check_amount(parse_baht(text), kind, allow_zero=allow_zero)
