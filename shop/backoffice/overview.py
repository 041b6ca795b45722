"""The back office's home page (what is waiting) and the audit log."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from shop.backoffice import bp
from shop.i18n import current_language
from shop.services.catalog import admin as catalog_admin
from shop.services.catalog import centres as centre_admin
from shop.services.ordering import fulfilment
from shop.services.payments import promptpay
from shop.services.people import audit


@bp.get("/")
def home():
    return render_template(
        "backoffice/home.html",
        to_pack=len(fulfilment.queue(current_user, "to_pack")),
        packed=len(fulfilment.queue(current_user, "packed")),
        low=len(catalog_admin.stock_rows(current_user, low_only=True)),
        transfers=len(promptpay.awaiting_transfers(current_user)),
    )


def _whole_number(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 9 else None


@bp.get("/audit")
def audit_log():
    """The log as sentences, filtered by centre (admins), person and kind, a page at a time."""
    centre_id = _whole_number("centre") if current_user.is_admin else None
    user_id, kind = _whole_number("person"), request.args.get("kind", "")
    found = audit.read_log(current_user, current_language(), centre_id=centre_id, user_id=user_id,
                           kind=kind, page=_whole_number("page") or 1)
    filters = {"centre": centre_id or "", "person": user_id or "", "kind": kind if kind in audit.KINDS else ""}
    return render_template("backoffice/audit.html", log=found, filters=filters, kinds=audit.KINDS,
                           filter_args={key: value for key, value in filters.items() if value},
                           people=audit.people_in_log(current_user),
                           centres=centre_admin.centres() if current_user.is_admin else [])
