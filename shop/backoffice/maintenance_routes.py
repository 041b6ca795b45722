"""Association admins switch maintenance mode on and off."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.forms import ActionForm
from shop.services import maintenance


@bp.route("/maintenance", methods=["GET", "POST"])
def maintenance_mode():
    if not current_user.is_admin:
        abort(403)
    form = ActionForm()
    if request.method == "POST":
        wanted = request.form.get("maintenance")
        if not form.validate_on_submit() or wanted not in {"on", "off"}:
            abort(400)
        maintenance.switch(current_user, wanted == "on")
        if wanted == "on":
            flash(_("Maintenance mode is on: customers see a notice until you turn it off."), "success")
        else:
            flash(_("Maintenance mode is off: the shop is open again."), "success")
        return redirect(url_for("backoffice.maintenance_mode")), 303
    return render_template("backoffice/maintenance.html", status=maintenance.status(), on=maintenance.read_switch(), form=form)
