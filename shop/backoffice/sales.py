"""Sales outside the shop: staff record their centre's offline sales (listed items leave the
stock); admins import the baselines of the years before the shop."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.access import admin_required
from shop.backoffice.common import csv_rows, fail, refuse
from shop.backoffice.forms import BaselineImportForm
from shop.backoffice.sales_forms import ITEM_ROWS, OfflineSaleForm
from shop.services.catalog import centres as centre_admin
from shop.services.errors import DomainError
from shop.services.sales import offline


@bp.route("/offline-sales", methods=["GET", "POST"])
def offline_sales():
    """Staff record what their centre sold outside the shop; listed items leave the stock."""
    form = OfflineSaleForm(centres=centre_admin.centres() if current_user.is_admin else [])
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            try:
                offline.record_offline_sale(current_user, **form.sale())
                flash(_("Sale recorded; it counts in your centre's totals."), "success")
            except DomainError as error:
                fail(error)
        return redirect(url_for("backoffice.offline_sales")), 303
    return render_template("backoffice/offline_sales.html", form=form, item_rows=ITEM_ROWS,
                           sales=offline.offline_sales(current_user), import_form=BaselineImportForm())


@bp.post("/baselines")
@admin_required
def baselines():
    """Admins import the sales of the years before the shop: centre, year, amount_baht."""
    form = BaselineImportForm()
    if not form.validate_on_submit():
        flash(_("Please choose a CSV file."), "error")
        return redirect(url_for("backoffice.offline_sales")), 303
    rows = csv_rows(form)
    if rows is None:
        return redirect(url_for("backoffice.offline_sales")), 303
    errors = offline.import_baselines(current_user, rows)
    if errors:
        return render_template("backoffice/import_errors.html", errors=errors, back_url=url_for("backoffice.offline_sales"),
                               back_label=_("Back to offline sales and baselines")), 400
    flash(_("Baselines imported: %(n)d rows.", n=len(rows)), "success")
    return redirect(url_for("backoffice.offline_sales")), 303
