"""Transfer slips the tests make: a bank-like picture with a mini-QR of a constructed payload."""
from __future__ import annotations

import io

import segno
from PIL import Image, ImageDraw

from shop.services.payments.slips import build_slip_payload


def qr_on_picture(text: str, fmt: str = "PNG", size: tuple[int, int] = (720, 1280)) -> bytes:
    """A phone-screenshot-sized picture with the QR of `text` in its lower part, like a slip."""
    picture = Image.new("RGB", size, (240, 246, 252))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, size[0] - 40, 380), fill="white")
    draw.text((70, 80), "Transfer successful  1,250.00 THB", fill="black")
    qr_buffer = io.BytesIO()
    segno.make(text, error="m").save(qr_buffer, kind="png", scale=8, border=4)
    qr_buffer.seek(0)
    qr = Image.open(qr_buffer).convert("RGB")
    picture.paste(qr, ((size[0] - qr.width) // 2, size[1] - qr.height - 120))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def slip_picture(transaction_ref: str = "016330150120AQR07531", sending_bank: str = "014", fmt: str = "PNG") -> bytes:
    """A slip whose mini-QR names this bank and transaction reference."""
    return qr_on_picture(build_slip_payload(sending_bank, transaction_ref), fmt)


def plain_picture(fmt: str = "PNG") -> bytes:
    """A picture with no QR code at all."""
    out = io.BytesIO()
    Image.new("RGB", (400, 700), (250, 250, 250)).save(out, fmt)
    return out.getvalue()
