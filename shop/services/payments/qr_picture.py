"""The "Save QR picture" PNG: a customer on one phone saves it and picks it in the bank app.

Drawn with Pillow and the Garuda font shipped in shop/fonts/tlwg (GPL with the font exception),
so Thai renders the same on any server: the Thai QR Payment / PromptPay mark (an honest text
badge: the official artwork is not ours to ship), the QR with the exact amount, the amount in
baht, the recipient's name as the bank app will show it, and the order number.
"""
from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import segno
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from shop.services.money import format_baht

FONT_FOLDER = Path(__file__).resolve().parents[2] / "fonts" / "tlwg"
WIDTH = 720
QR_SIZE = 520
MARGIN = 40
BADGE_BLUE = (16, 59, 112)  # the dark blue of Thai QR Payment signs
INK = (20, 20, 20)


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FOLDER / ("Garuda-Bold.ttf" if bold else "Garuda.ttf")), size)


def _qr_image(payload: str) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    qr = Image.open(buffer).convert("RGB")
    return qr.resize((QR_SIZE, QR_SIZE), Image.Resampling.NEAREST)


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont, fill=INK) -> int:
    """Draw one line centred at height y, smaller if it would not fit; returns the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    while right - left > WIDTH - 2 * MARGIN and font.size > 14:
        font = _font(int(font.size) - 2, bold="Bold" in str(font.path))
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2 - left, y), text, font=font, fill=fill)
    return int(y + (bottom - top) + font.size // 2)


def qr_picture_png(payload: str, amount_satang: int, recipient_name: str, order_number: str) -> bytes:
    """The PNG a banking app reads a QR from, with what the customer should check beside it."""
    height = 1180
    picture = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, WIDTH, 110), fill=BADGE_BLUE)
    _centred(draw, 28, "Thai QR Payment · PromptPay", _font(40, bold=True), fill="white")
    picture.paste(_qr_image(payload), ((WIDTH - QR_SIZE) // 2, 130))
    y = 130 + QR_SIZE + 30
    y = _centred(draw, y, _("Amount"), _font(30))
    y = _centred(draw, y, format_baht(amount_satang), _font(64, bold=True)) + 10
    if recipient_name:
        y = _centred(draw, y, _("Recipient"), _font(30))
        y = _centred(draw, y, recipient_name, _font(40, bold=True))
    y = _centred(draw, y, _("Order %(number)s", number=order_number), _font(34, bold=True))
    y = _centred(draw, y + 10, _("Open your bank app, choose Scan, then pick this picture."), _font(26))
    out = io.BytesIO()
    picture.crop((0, 0, WIDTH, min(height, y + MARGIN))).save(out, "PNG", optimize=True)
    return out.getvalue()
