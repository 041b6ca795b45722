"""The back office's home page (what is waiting) and the audit log."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from shop.backoffice import bp
from shop.services.catalog import admin as catalog_admin
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


@bp.get("/audit")
def audit_log():
    return render_template("backoffice/audit.html", entries=audit.entries(current_user))
