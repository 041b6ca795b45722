"""Money is an int number of satang (1 baht = 100 satang); this is where it becomes text."""
from __future__ import annotations

from shop.services.parsing import ascii_digits


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
    """'1,250.5' -> 125050 satang; raises ValueError with a reason a person can read."""
    cleaned = (text or "").replace(",", "").replace("฿", "").strip()
    if not cleaned:
        raise ValueError("empty amount")
    whole, _, frac = cleaned.partition(".")
    if not ascii_digits(whole) or (frac and (not ascii_digits(frac) or len(frac) > 2)):
        raise ValueError(f"not an amount in baht: {text!r}")
    return int(whole) * 100 + int((frac + "00")[:2])
