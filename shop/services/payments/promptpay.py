"""PromptPay transfer: an EMVCo QR with the exact amount; staff confirm the transfer by hand."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import segno
from flask_babel import gettext as _

PROMPTPAY_AID = "A000000677010111"


def _tag(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _account(promptpay_id: str) -> str:
    digits = re.sub(r"\D", "", promptpay_id)
    if len(digits) == 13:  # national ID or tax ID
        return _tag("02", digits)
    if len(digits) == 10 and digits.startswith("0"):  # mobile number, as 0066 + 9 digits
        return _tag("01", "0066" + digits[1:])
    raise ValueError(f"PROMPTPAY_ID must be a 10-digit mobile number or a 13-digit ID, not {promptpay_id!r}")


def build_payload(promptpay_id: str, amount_satang: int | None = None) -> str:
    """The EMVCo merchant-presented text a Thai banking app scans; one-time when it has an amount."""
    if amount_satang is not None and (not isinstance(amount_satang, int) or amount_satang <= 0):
        raise ValueError("amount must be a positive int number of satang")
    fields = [
        _tag("00", "01"),
        _tag("01", "12" if amount_satang is not None else "11"),
        _tag("29", _tag("00", PROMPTPAY_AID) + _account(promptpay_id)),
        _tag("53", "764"),
    ]
    if amount_satang is not None:
        baht, satang = divmod(amount_satang, 100)
        fields.append(_tag("54", f"{baht}.{satang:02d}"))
    fields.append(_tag("58", "TH"))
    body = "".join(fields) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def qr_svg_data_uri(payload: str) -> str:
    return segno.make(payload, error="m").svg_data_uri(scale=6, border=2)


class PromptPayTransfer:
    code = "promptpay_transfer"

    def label(self) -> str:
        return _("PromptPay transfer (scan a QR code in your banking app)")

    def is_available(self, config: dict[str, Any]) -> bool:
        return bool(config.get("PROMPTPAY_ID"))

    def hold_time(self, config: dict[str, Any]) -> timedelta:
        return timedelta(hours=int(config.get("PROMPTPAY_HOLD_HOURS", 24)))

    def instructions(self, order, config: dict[str, Any]) -> dict[str, Any]:
        payload = build_payload(config["PROMPTPAY_ID"], order.total_satang)
        return {
            "template": "storefront/_pay_promptpay.html",
            "payload": payload,
            "qr": qr_svg_data_uri(payload),
            "reference": order.number,
        }
