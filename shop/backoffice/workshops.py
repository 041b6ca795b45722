"""Workshops: staff add sessions, see who booked (printable) and mark who came; maker groups;
admins import the people trained before the shop."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.access import admin_required
from shop.backoffice.common import csv_rows, fail, or_404, refuse
from shop.backoffice.workshop_forms import BaselineImportForm, MakerGroupForm, SessionForm
from shop.forms import ActionForm
from shop.services.catalog import centres as centre_admin
from shop.services.errors import DomainError
from shop.services.workshops import attendance, impact, makers, sessions


def _session_form() -> SessionForm:
    form = SessionForm()
    form.product_id.choices = [(p.id, p.name_th) for p in sessions.workshop_products(current_user)]
    return form


@bp.route("/workshops", methods=["GET", "POST"])
def workshops():
    form = _session_form()
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            try:
                sessions.add_session(current_user, form.product_id.data, form.day.data, form.start.data, form.end.data,
                                     form.place_th.data, form.place_en.data or "", form.seats.data, form.price.data)
                flash(_("Session added: its seats are on sale."), "success")
            except DomainError as error:
                fail(error)
        return redirect(url_for("backoffice.workshops")), 303
    return render_template("backoffice/workshops.html", form=form, sessions=sessions.sessions(current_user),
                           import_form=BaselineImportForm(), baselines=impact.trained_baselines() if current_user.is_admin else [],
                           trained=impact.figures() if current_user.is_admin else None,
                           centre_trained=impact.trained_people(current_user.centre_id) if current_user.centre_id else None)


@bp.get("/workshops/sessions/<int:session_id>")
def workshop_session(session_id: int):
    found = or_404(sessions.session_for(current_user, session_id))
    people = attendance.participants(current_user, session_id) or []
    return render_template("backoffice/workshop_session.html", session=found, participants=people, action_form=ActionForm())


@bp.post("/workshops/sessions/<int:session_id>/attended/<int:line_id>")
def workshop_attended(session_id: int, line_id: int):
    """Staff mark a participant as come (once; a second mark changes nothing)."""
    return _attendance(session_id, line_id, attended=True)


@bp.post("/workshops/sessions/<int:session_id>/not-attended/<int:line_id>")
def workshop_not_attended(session_id: int, line_id: int):
    return _attendance(session_id, line_id, attended=False)


def _attendance(session_id: int, line_id: int, attended: bool):
    or_404(sessions.session_for(current_user, session_id))
    if not ActionForm().validate_on_submit():
        flash(_("The form was too old. Please try again."), "error")
    else:
        try:
            if not attended:
                attendance.unmark_attended(current_user, session_id, line_id)
                flash(_("Attendance removed."), "success")
            elif attendance.mark_attended(current_user, session_id, line_id):
                flash(_("Marked as attended: they count as people trained."), "success")
            else:
                flash(_("Already marked as attended: counted once."), "success")
        except DomainError as error:
            fail(error)
    return redirect(url_for("backoffice.workshop_session", session_id=session_id)), 303


@bp.post("/trained-baselines")
@admin_required
def trained_baselines():
    """Admins import the people trained in the years before the shop: centre, year, people."""
    form = BaselineImportForm()
    if not form.validate_on_submit():
        flash(_("Please choose a CSV file."), "error")
        return redirect(url_for("backoffice.workshops")), 303
    rows = csv_rows(form)  # type: ignore[arg-type]
    if rows is None:
        return redirect(url_for("backoffice.workshops")), 303
    errors = impact.import_trained_baselines(current_user, rows)
    if errors:
        return render_template("backoffice/import_errors.html", errors=errors), 400
    flash(_("People trained imported: %(n)d rows.", n=len(rows)), "success")
    return redirect(url_for("backoffice.workshops")), 303


def _maker_form(group=None) -> MakerGroupForm:
    form = MakerGroupForm(obj=group if request.method == "GET" else None)
    form.centre_id.choices = [(c.id, c.name_th) for c in centre_admin.centres()] if current_user.is_admin else [(0, "—")]
    return form


def _save_maker(form: MakerGroupForm, group_id: int | None):
    photo = form.photo.data.read() if form.photo.data else None
    try:
        group = makers.save_maker_group(current_user, group_id, form.centre_id.data or None, form.group_data(), photo)
    except DomainError as error:
        fail(error)
        return None
    flash(_("Maker group saved."), "success")
    return redirect(url_for("backoffice.maker_edit", group_id=group.id)), 303


@bp.route("/makers", methods=["GET", "POST"])
def makers_list():
    form = _maker_form()
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            done = _save_maker(form, None)
            if done:
                return done
        return redirect(url_for("backoffice.makers_list")), 303
    return render_template("backoffice/makers.html", form=form, groups=makers.maker_groups(current_user))


@bp.route("/makers/<int:group_id>", methods=["GET", "POST"])
def maker_edit(group_id: int):
    group = or_404(makers.maker_group_for(current_user, group_id))
    form = _maker_form(group)
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            done = _save_maker(form, group.id)
            if done:
                return done
        return redirect(url_for("backoffice.maker_edit", group_id=group.id)), 303
    return render_template("backoffice/maker_edit.html", form=form, group=group)
