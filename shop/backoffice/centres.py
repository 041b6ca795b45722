"""Centres and their staff accounts (association admins): add or change a centre, make staff
and admin accounts, disable them, give new passwords."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.access import admin_required
from shop.backoffice.centre_forms import CentreForm, StaffForm
from shop.backoffice.common import fail, or_404
from shop.backoffice.forms import ActionForm
from shop.i18n import current_language
from shop.models import REGIONS
from shop.services.catalog import centres as centre_admin
from shop.services.errors import DomainError
from shop.services.people import staff as staff_admin
from shop.services.people.accounts import EmailTaken
from shop.services.thai import provinces

STAFF_ACTIONS = {"disable", "enable", "reset-password"}


def _centre_choices(form: CentreForm) -> None:
    form.province_code.choices = [(p.code, f"{p.name_th} / {p.name_en}") for p in provinces()]
    form.region.choices = [(r, r) for r in REGIONS]


@bp.get("/centres")
@admin_required
def centres():
    return render_template("backoffice/centres.html", centres=centre_admin.centres())


@bp.route("/centres/new", methods=["GET", "POST"])
@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@admin_required
def centre_edit(centre_id: int | None = None):
    centre = or_404(centre_admin.centre(centre_id)) if centre_id is not None else None
    form = CentreForm(obj=centre if request.method == "GET" else None)
    if request.method == "GET":
        form.shipping_fee.data = centre.shipping_fee_satang if centre else centre_admin.default_shipping_fee()
        form.free_shipping_from.data = centre.free_shipping_from_satang if centre else None
    _centre_choices(form)
    if form.validate_on_submit():
        try:
            centre_admin.save_centre(current_user, form.centre_data(), centre_id)
            flash(_("Centre saved."), "success")
            return redirect(url_for("backoffice.centres")), 303
        except DomainError:
            form.slug.errors = [_("That short name is taken, or the province or region is not valid.")]
    return render_template("backoffice/centre_edit.html", form=form, centre=centre), 400 if form.errors else 200


@bp.route("/staff", methods=["GET", "POST"])
@admin_required
def staff():
    form = StaffForm()
    form.centre_id.choices = [(0, "—")] + [(c.id, c.localised("name", current_language())) for c in centre_admin.centres()]
    if form.validate_on_submit():
        try:
            user, new_password = staff_admin.create_staff(current_user, form.email.data, form.name.data, form.role.data,
                                                          form.centre_id.data or None)
            flash(_("Account created for %(email)s. Give them this first password: %(password)s", email=user.email, password=new_password), "success")
            return redirect(url_for("backoffice.staff")), 303
        except EmailTaken:
            form.email.errors = [_("There is already an account with this email.")]
        except DomainError:
            form.centre_id.errors = [_("Centre staff need a centre.")]
    return render_template("backoffice/staff.html", form=form, accounts=staff_admin.staff_accounts(),
                           action_form=ActionForm()), 400 if form.errors else 200


@bp.post("/staff/<int:user_id>/<action>")
@admin_required
def staff_action(user_id: int, action: str):
    if not ActionForm().validate_on_submit() or action not in STAFF_ACTIONS:
        abort(400)
    try:
        if action == "reset-password":
            user, password = staff_admin.reset_password(current_user, user_id)
            flash(_("New password for %(email)s: %(password)s", email=user.email, password=password), "success")
        else:
            staff_admin.set_enabled(current_user, user_id, action == "enable")
            flash(_("Account updated."), "success")
    except DomainError as error:
        fail(error)
    return redirect(url_for("backoffice.staff")), 303
