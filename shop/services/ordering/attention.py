"""Notes on an order that a person must look at (a refund due, an odd payment).

Each note is stored as a message code and its values, never as finished text, so that it is read
in the reader's language, with centres by name and money in baht: `Order.attention` holds a JSON
list of {"code": ..., "values": {...}} ("" when there is nothing to look at, which is what the
"needs attention" queries test). Values are stored raw: amounts as satang under a key ending in
`_satang`, a centre as `centre_id`, an order status as `status`; they are dressed only when shown.
Notes written before codes existed are kept as a "legacy" note shown as written.
"""
from __future__ import annotations

import json
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from shop.extensions import db
from shop.i18n import current_language, order_status_label
from shop.models import Centre, Order
from shop.services.money import format_baht

LEGACY = "legacy"

MESSAGES: dict[str, Any] = {
    "payment_amount_mismatch": _l("Payment %(reference)s of %(amount)s does not match the total %(total)s: "
                                  "check it and refund or collect the difference."),
    "late_payment_revived": _l("Paid after the reservation expired (%(reference)s); the stock was still there, "
                               "so the order was revived."),
    "late_payment_stock_gone": _l("Paid after the reservation expired (%(reference)s) and the stock is gone: "
                                  "refund of %(amount)s due."),
    "payment_for_closed_order": _l("Payment %(reference)s of %(amount)s arrived for an order that is %(status)s: refund due."),
    "slip_used_before": _l("A transfer slip already sent for order %(number)s was sent again for this order "
                           "(bank %(bank)s, reference %(reference)s): refused."),
    "parcel_cancelled_after_payment": _l("Parcel from %(centre)s cancelled after payment: refund of %(amount)s due."),
    "stripe_amount_mismatch": _l("Stripe session %(session)s paid %(amount)s but the order total is %(total)s: "
                                 "not marked paid; check and refund."),
    "stripe_other_currency": _l("Stripe session %(session)s paid %(paid)s but the order total is %(total)s: "
                                "not marked paid; check and refund."),
    "stripe_expiry_not_ours": _l("Stripe reported that a payment session for order %(number)s ran out, but the shop did not "
                                 "open that session for this order. Nothing was changed; please check it in the Stripe dashboard."),
    "stripe_refund_unknown_payment": _l("Stripe reported a refund of %(amount)s for order %(number)s, but the shop has no record "
                                        "of that payment for this order. Nothing was booked; please check it in the Stripe dashboard."),
    "stripe_refund_unpaid_order": _l("Stripe reported a refund of %(amount)s for order %(number)s, which the shop has not counted "
                                     "as paid. Nothing was booked; please check it in the Stripe dashboard."),
    "stripe_refund_too_large": _l("Stripe reported a refund of %(amount)s for order %(number)s, more than the %(left)s paid and "
                                  "not yet refunded. Nothing was booked; please check it in the Stripe dashboard."),
}


def flags(order: Order) -> list[dict[str, Any]]:
    """The order's notes as stored: [{"code": ..., "values": {...}}]."""
    return parse(order.attention)


def parse(stored: str) -> list[dict[str, Any]]:
    """Read the stored column; text from before codes existed becomes legacy notes, one per line."""
    if not stored:
        return []
    try:
        found = json.loads(stored)
    except ValueError:
        found = None
    if isinstance(found, list) and all(isinstance(f, dict) and isinstance(f.get("code"), str) for f in found):
        return [{"code": f["code"], "values": dict(f.get("values") or {})} for f in found]
    return [{"code": LEGACY, "values": {"text": line}} for line in stored.splitlines() if line.strip()]


def serialise(notes: list[dict[str, Any]]) -> str:
    return json.dumps(notes, ensure_ascii=False, sort_keys=True) if notes else ""


def add(order: Order, code: str, **values: Any) -> None:
    """Note on the order, in the caller's transaction, something a person must look at (once)."""
    note = {"code": code, "values": values}
    notes = flags(order)
    if note not in notes:
        order.attention = serialise([*notes, note])
    with force_locale("en"):
        current_app.logger.warning("Order %s needs attention: %s", order.number, render(note, "en"))


def _dressed(values: dict[str, Any], lang: str) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in values.items():
        if key.endswith("_satang") and isinstance(value, int):
            shown[key.removesuffix("_satang")] = format_baht(value)
        elif key == "centre_id":
            centre = db.session.get(Centre, value) if isinstance(value, int) else None
            shown["centre"] = centre.localised("name", lang) if centre else "?"
        elif key == "status":
            shown[key] = order_status_label(str(value))
        else:
            shown[key] = value
    return shown


def render(note: dict[str, Any], lang: str | None = None) -> str:
    """One note as a sentence in `lang` (the request's language when not given)."""
    lang = lang or current_language()
    values = note.get("values") or {}
    message = MESSAGES.get(note.get("code", ""))
    if message is None:  # a legacy note, or a code this version does not know: shown as written
        return str(values.get("text") or note.get("code") or "")
    with force_locale(lang):
        try:
            return str(message) % _dressed(values, lang)
        except (KeyError, TypeError, ValueError):
            return str(message)


def messages(order: Order, lang: str | None = None) -> list[str]:
    """The order's notes as sentences in the reader's language."""
    return [render(note, lang) for note in flags(order)]
