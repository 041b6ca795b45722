"""Whole numbers from requests, forms and CSV files: ASCII digits only, always within bounds.

`str.isdigit()` is true for "²", "①" and "๑", which `int()` refuses or reads; and `int()`
accepts "1_000" and " 7". Every number a person or a browser sends is read here instead.
"""
from __future__ import annotations

MAX_ID = 2**31 - 1  # the largest value of an integer id column (PostgreSQL's `integer`)
_MAX_LENGTH = 30  # longer digit strings are junk; also keeps int() far from its size limit


def ascii_digits(text: object, length: int | None = None) -> bool:
    """True for a non-empty string of the digits 0-9 only (of exactly `length` of them, if given)."""
    if not isinstance(text, str) or not text or not (text.isascii() and text.isdigit()):
        return False
    return len(text) == length if length is not None else len(text) <= _MAX_LENGTH


def parse_int(text: object, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """The whole number written in ASCII digits (spaces around allowed), within the bounds; else None."""
    cleaned = text.strip() if isinstance(text, str) else ""
    if not ascii_digits(cleaned):
        return None
    value = int(cleaned)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


def parse_id(text: object) -> int | None:
    """A database id (1 to 2^31-1) sent by a form or link, else None."""
    return parse_int(text, 1, MAX_ID)
