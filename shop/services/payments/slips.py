"""Transfer slips: a customer sends the bank's slip for a PromptPay-transfer order.

Thai banking apps print a "mini-QR" on every transfer slip, made for the banks' slip-verification
APIs. Its text is TLV like EMVCo's (two-digit tag, two-digit length, value):

    00  the slip-verify data, itself TLV:
          00  API id, "000001"
          01  sending bank's code (3 digits, e.g. 002 Bangkok Bank, 014 SCB)
          02  the bank's transaction reference
    51  country, "TH"
    91  CRC-16/CCITT-FALSE over everything before its value, including "9104" (4 upper-case hex digits)

e.g. 004000060000010103002021900021231231212000115102TH91049C30 (bank 002, reference
0002123123121200011). Sources: SCB's developer document "Extracting data from mini QR"
(developer.scb, qr-payment/extracting-data-from-mini-qr.pdf) and the MIT-licensed parser
maythiwat/promptparse (src/generate/SlipVerify.ts, src/validate/SlipVerify.ts and its test
vectors), which also notes that some bank apps drop the CRC's leading zeros.

The shop decodes the picture's QR with zxing-cpp, parses it, asks the configured SlipVerifier
and records the slip once per (bank, reference): the same slip cannot pay two orders. A slip
proves nothing by itself (anyone can draw a QR): an admin still confirms the money at the exact
amount on the payments page, with the slip beside the order. See the README for plugging a
bank's slip-verification API in as a SlipVerifier.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import zxingcpp
from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, PaymentSlip, User
from shop.services.catalog import uploads
from shop.services.errors import DomainError, OrderClosed
from shop.services.ordering import events, lifecycle
from shop.services.payments.promptpay import PromptPayTransfer, crc16_ccitt_false

SLIP_API_ID = "000001"
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
SLIP_STORED_SIZE = 1600  # the long side of the copy kept for admins, in pixels


class SlipError(DomainError):
    message = _l("We could not read that slip.")


class NoSlipQR(SlipError):
    message = _l("We could not find the slip's QR code in that picture. Please upload the slip exactly as your bank app saved it.")


class BadSlipQR(SlipError):
    message = _l("The QR code in that picture is not a bank transfer slip's. Please upload the slip your bank app saved.")


class SlipAlreadyUsed(SlipError):
    message = _l("This slip was already sent for another order, so it cannot pay this one. "
                 "If you think this is a mistake, please contact us; our staff have been told.")


class SlipNotAccepted(SlipError):
    message = _l("Your bank could not confirm this slip. Please check it and try again, or contact us.")


class MalformedPayload(ValueError):
    """The text is not a well-formed slip payload (the reason is for logs and tests, not people)."""


@dataclass(frozen=True)
class SlipData:
    sending_bank: str
    transaction_ref: str


# --- The mini-QR payload ----------------------------------------------------------------------

def parse_tlv(text: str) -> list[tuple[str, str]]:
    """Split TLV text (2-digit tag, 2-digit length, value) into (tag, value) pairs, in order."""
    fields: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        head = text[position:position + 4]
        if len(head) < 4 or not head.isdigit():
            raise MalformedPayload(f"bad tag or length at {position}")
        length = int(head[2:])
        value = text[position + 4:position + 4 + length]
        if len(value) != length:
            raise MalformedPayload(f"tag {head[:2]} runs past the end")
        fields.append((head[:2], value))
        position += 4 + length
    return fields


def _with_full_crc(text: str) -> str:
    """Some bank apps write the CRC without its leading zeros ("9103ABC"): put them back."""
    at = text.rfind("91")
    if at != -1 and text[at + 2:at + 4].isdigit():
        length, crc = int(text[at + 2:at + 4]), text[at + 4:]
        if 0 < length < 4 and len(crc) == length:
            return text[:at] + "9104" + crc.rjust(4, "0")
    return text


def parse_slip_payload(text: str) -> SlipData:
    """The sending bank and transaction reference from a slip's mini-QR text, checked.

    Raises MalformedPayload for junk, a bad CRC, another API id, or a missing tag.
    """
    text = _with_full_crc(text.strip())
    if len(text) > 512 or not text.isascii():
        raise MalformedPayload("not a slip payload")
    fields = parse_tlv(text)
    if not fields or fields[-1][0] != "91" or len(fields[-1][1]) != 4:
        raise MalformedPayload("no CRC (tag 91) at the end")
    body = text[:-4]
    if f"{crc16_ccitt_false(body.encode('ascii')):04X}" != fields[-1][1].upper():
        raise MalformedPayload("CRC does not match")
    top = dict(fields)
    if top.get("51") != "TH" or "00" not in top:
        raise MalformedPayload("no country TH (tag 51) or no slip data (tag 00)")
    inner = dict(parse_tlv(top["00"]))
    if inner.get("00") != SLIP_API_ID:
        raise MalformedPayload("not the slip-verify API id 000001")
    bank, reference = inner.get("01", ""), inner.get("02", "")
    if not (len(bank) == 3 and bank.isdigit()) or not reference or len(reference) > 64 or not reference.isalnum():
        raise MalformedPayload("no sending bank (00.01) or transaction reference (00.02)")
    return SlipData(bank, reference)


def build_slip_payload(sending_bank: str, transaction_ref: str) -> str:
    """The mini-QR text a bank would print for this transfer (for tests and the demo)."""
    def tag(name: str, value: str) -> str:
        return f"{name}{len(value):02d}{value}"
    body = tag("00", tag("00", SLIP_API_ID) + tag("01", sending_bank) + tag("02", transaction_ref)) + tag("51", "TH") + "9104"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def read_slip_qr(picture: Image.Image) -> SlipData:
    """Find a slip's mini-QR among the picture's QR codes (a slip may carry others too)."""
    texts = [result.text for result in zxingcpp.read_barcodes(picture, formats=QR_ONLY)]
    if not texts:
        raise NoSlipQR()
    for text in texts:
        try:
            return parse_slip_payload(text)
        except MalformedPayload:
            continue
    raise BadSlipQR()


# --- Verifiers ----------------------------------------------------------------------------------

class SlipVerifier(Protocol):
    """Says whether a slip is good for an order, before the shop records it.

    Return a short word kept with the slip ("decoded", "verified"); raise a SlipError to refuse.
    """

    code: str

    def verify(self, slip: SlipData, order: Order) -> str: ...


class DecodeOnly:
    """The default: the QR decoded and the reference not used before (the shop checks that)."""

    code = "decode"

    def verify(self, slip: SlipData, order: Order) -> str:
        return "decoded"


VERIFIERS: dict[str, type[SlipVerifier]] = {DecodeOnly.code: DecodeOnly}


def configured_verifier() -> SlipVerifier:
    return VERIFIERS[current_app.config.get("SLIP_VERIFIER", DecodeOnly.code)]()


# --- Receiving a slip ----------------------------------------------------------------------------

def slip_folder() -> Path:
    return Path(current_app.config["SLIP_FOLDER"])


def _store(picture: Image.Image) -> str:
    """A re-encoded JPEG copy (no metadata), at most SLIP_STORED_SIZE px; returns its file name."""
    copy = picture.convert("RGB")
    copy.thumbnail((SLIP_STORED_SIZE, SLIP_STORED_SIZE))
    folder = slip_folder()
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"slip-{secrets.token_hex(12)}.jpg"
    copy.save(folder / filename, "JPEG", quality=85)
    return filename


def _flag_reuse(order_id: int, slip: SlipData) -> None:
    """Tell the admins, on the order that tried, which order the slip already paid."""
    begin_write()
    order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())
    first = _recorded(slip)
    used = first.order.number if first is not None else "?"
    if order is None:
        events.rollback()
        return
    lifecycle.flag(order, "slip_used_before", number=used, bank=slip.sending_bank, reference=slip.transaction_ref)
    events.commit()


def _recorded(slip: SlipData) -> PaymentSlip | None:
    return db.session.scalar(select(PaymentSlip).where(PaymentSlip.sending_bank == slip.sending_bank,
                                                       PaymentSlip.transaction_ref == slip.transaction_ref))


def submit_slip(order_id: int, data: bytes | BinaryIO, verifier: SlipVerifier | None = None) -> PaymentSlip:
    """The customer sends a transfer slip: checked like a photo, read, verified, recorded once.

    The order moves to slip_received in the same transaction that records the slip. The same
    (bank, reference) on another order is refused (SlipAlreadyUsed) and flagged on this order;
    sent again for the same order, the slip already recorded is returned.
    """
    order = db.session.get(Order, order_id)
    if order is None or order.payment_method != PromptPayTransfer.code:
        raise DomainError()
    if order.status not in lifecycle.AWAITING_MONEY:
        raise OrderClosed()
    picture, _info = uploads.open_image(data)  # BadImage / ImageTooLarge: bounded before decoding
    slip = read_slip_qr(picture)
    verification = (verifier or configured_verifier()).verify(slip, order)
    filename = _store(picture)
    begin_write()
    try:
        lifecycle.receive_slip(order_id)
        if _recorded(slip) is None:
            recorded = PaymentSlip(order_id=order_id, sending_bank=slip.sending_bank, transaction_ref=slip.transaction_ref,
                                   verification=verification, filename=filename)
            db.session.add(recorded)
            events.commit()  # the unique (bank, reference) decides between two orders racing
            return recorded
        events.rollback()
    except IntegrityError:
        events.rollback()
    except DomainError:
        events.rollback()
        (slip_folder() / filename).unlink(missing_ok=True)
        raise
    (slip_folder() / filename).unlink(missing_ok=True)
    existing = _recorded(slip)
    if existing is not None and existing.order_id == order_id:  # the same slip again: nothing new
        return existing
    _flag_reuse(order_id, slip)
    current_app.logger.warning("Slip %s/%s sent again for order id %s: refused", slip.sending_bank, slip.transaction_ref, order_id)
    raise SlipAlreadyUsed()


def slip_picture(actor: User, slip_id: int) -> Path | None:
    """The slip's stored picture, for admins only."""
    if not actor.is_admin:
        return None
    slip = db.session.get(PaymentSlip, slip_id)
    if slip is None:
        return None
    path = slip_folder() / slip.filename
    return path if path.is_file() else None
