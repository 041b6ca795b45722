"""Stock: levels and the low-stock list, receiving and adjusting, the movement ledger, and CSV
counts out and in."""
from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.common import csv_rows, fail, or_404
from shop.backoffice.forms import StockImportForm
from shop.backoffice.stock_forms import AdjustForm, ReceiveForm
from shop.services.catalog import admin as catalog_admin
from shop.services.errors import DomainError


@bp.get("/stock")
def stock():
    low_only = request.args.get("low") == "1"
    return render_template("backoffice/stock.html", rows=catalog_admin.stock_rows(current_user, low_only=low_only),
                           low_only=low_only, import_form=StockImportForm())


@bp.route("/variants/<int:variant_id>/stock", methods=["GET", "POST"])
def variant_stock(variant_id: int):
    variant, movements = catalog_admin.movements(current_user, variant_id)
    or_404(variant)
    receive_form, adjust_form = ReceiveForm(prefix="receive"), AdjustForm(prefix="adjust")
    if request.method == "POST":
        try:
            if "receive-submit" in request.form and receive_form.validate_on_submit():
                catalog_admin.receive_stock(current_user, variant.id, receive_form.quantity.data, receive_form.note.data or "")
                flash(_("Stock received."), "success")
            elif "adjust-submit" in request.form and adjust_form.validate_on_submit():
                catalog_admin.adjust_stock(current_user, variant.id, adjust_form.delta.data, adjust_form.reason.data, adjust_form.note.data or "")
                flash(_("Stock adjusted."), "success")
            else:
                flash(_("Please check the numbers: a whole number, not zero."), "error")
        except DomainError as error:
            fail(error)
        return redirect(url_for("backoffice.variant_stock", variant_id=variant.id)), 303
    return render_template("backoffice/variant_stock.html", variant=variant, movements=movements,
                           receive_form=receive_form, adjust_form=adjust_form)


@bp.get("/stock.csv")
def stock_export():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "product", "option", "on_hand", "reserved", "available", "low_stock_threshold"])
    for v in catalog_admin.stock_rows(current_user):
        writer.writerow([v.sku, v.product.name_th, v.name_th, v.stock_on_hand, v.stock_reserved, v.available, v.low_stock_threshold])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=stock.csv"})


@bp.post("/stock/import")
def stock_import():
    form = StockImportForm()
    if not form.validate_on_submit():
        flash(_("Please choose a CSV file."), "error")
        return redirect(url_for("backoffice.stock")), 303
    rows = csv_rows(form)
    if rows is None:
        return redirect(url_for("backoffice.stock")), 303
    errors = catalog_admin.import_stock_counts(current_user, rows)
    if errors:
        return render_template("backoffice/import_errors.html", errors=errors, back_url=url_for("backoffice.stock"),
                               back_label=_("Back to stock")), 400
    flash(_("Stock counts imported: %(n)d rows.", n=len(rows)), "success")
    return redirect(url_for("backoffice.stock")), 303
