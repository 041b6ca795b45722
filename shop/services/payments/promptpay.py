"""PromptPay transfer: an EMVCo QR with the exact amount; an admin confirms the transfer by hand."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import segno
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.models import Order, User
from shop.services.errors import DomainError
from shop.services.ordering import events, lifecycle
from shop.services.payments.qr_picture import qr_picture_png
from shop.services.people import audit

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


def qr_picture(order: Order, config: dict[str, Any]) -> bytes | None:
    """The "Save QR picture" PNG of an order still to be paid by transfer, or None."""
    if order.payment_method != PromptPayTransfer.code or not order.is_open or not config.get("PROMPTPAY_ID"):
        return None
    return qr_picture_png(build_payload(config["PROMPTPAY_ID"], order.total_satang), order.total_satang,
                          config.get("PROMPTPAY_NAME", ""), order.number)


# --- Confirming transfers (association admins) ------------------------------------------------

class TransferMismatch(DomainError):
    message = _l("The amount does not match the order total. Nothing was recorded; check the transfer.")


def awaiting_transfers(actor: User) -> list[Order]:
    """Unpaid transfer orders (open, with a slip received, or expired with no money seen yet),
    those with a slip first, then oldest first; each with its slips."""
    if not actor.is_admin:
        return []
    stmt = (
        select(Order).where(Order.status.in_(["awaiting_payment", "slip_received", "expired"]),
                            Order.payment_method == PromptPayTransfer.code, ~Order.payments.any())
        .options(selectinload(Order.slips))
        .order_by((Order.status != "slip_received"), Order.created_at).limit(500)
    )
    return list(db.session.scalars(stmt))


def confirm_transfer(actor: User, order_id: int, reference: str, amount_satang: int) -> str:
    """An admin saw the money arrive: record it against the order, once, with its audit entry."""
    if not actor.is_admin:
        raise DomainError()
    order = db.session.get(Order, order_id)
    if order is None or order.payment_method != PromptPayTransfer.code:
        raise DomainError()
    reference = reference.strip()[:200]
    if not reference:
        raise DomainError(_l("Please give the transfer's reference."))
    if amount_satang != order.total_satang:
        raise TransferMismatch()
    outcome = lifecycle.record_payment(order.id, method=PromptPayTransfer.code, reference=reference,
                                       amount_satang=amount_satang, fee_satang=0, recorded_by_id=actor.id, commit=False)
    if outcome != lifecycle.DUPLICATE:
        audit.record(actor, "payment.confirm", order, centre_id=None,
                     after={"reference": reference, "amount_satang": amount_satang, "outcome": outcome})
        events.commit()
    return outcome


def reject_transfer(actor: User, order_id: int, note: str) -> None:
    """No money came: cancel the unpaid order and give its stock back, with its audit entry."""
    if not actor.is_admin:
        raise DomainError()
    order = lifecycle.cancel(order_id, "transfer rejected by an admin", commit=False, step="reject")
    audit.record(actor, "payment.reject", order, after={"note": note[:500]})
    events.commit()
