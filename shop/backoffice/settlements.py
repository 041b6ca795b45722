"""Settlement pages: periods and their statements, closing, payouts, commission, and document reprints.

Admins see every centre; staff only their own centre's statements (the services scope every
query, so another centre's address finds nothing: 404).
"""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.access import admin_required
from shop.backoffice.common import fail, or_404
from shop.backoffice.settlement_forms import CommissionForm, PayoutForm
from shop.extensions import db
from shop.forms import ActionForm
from shop.i18n import current_language
from shop.models import Order
from shop.models._base import utcnow
from shop.services.catalog import centres as centre_admin
from shop.services.documents import files as document_files
from shop.services.documents import issuing as documents
from shop.services.errors import DomainError
from shop.services.sales.ledger import bangkok_day
from shop.services.settlements import commissions, payouts, statements
from shop.services.settlements.periods import parse_start
from shop.services.settlements.statements import kind_label


def _status(status: str) -> str:
    labels = {"open": _("Open (figures may still change)"), "paid": pgettext("payout to a centre", "Paid"), "part_paid": _("Part-paid"),
              "unpaid": _("Unpaid"), "nothing_due": _("Nothing to pay")}
    return labels.get(status, status)


def _startor_404(start: str) -> date:
    found = parse_start(start)
    if found is None:
        abort(404)
    return found


@bp.context_processor
def document_helpers() -> dict:
    """The order page lists the order's receipt and credit notes for reprinting."""
    return {"order_documents": documents.documents_of}


@bp.get("/settlements")
def settlements():
    today = bangkok_day(utcnow())
    form = CommissionForm()
    centres = centre_admin.centres() if current_user.is_admin else []
    form.centre_id.choices = [(c.id, c.localised("name", current_language())) for c in centres]
    rates = commissions.rates()
    return render_template("backoffice/settlements.html", periods=statements.periods(current_user, today), form=form,
                           centres=centres, rate_on=lambda centre_id: rates.on(centre_id, today), today=today)


@bp.post("/settlements/commission")
@admin_required
def commission_set():
    form = CommissionForm()
    form.centre_id.choices = [(c.id, c.localised("name", current_language())) for c in centre_admin.centres()]
    if not form.validate_on_submit():
        flash(_("Please choose a centre, a percentage and a date."), "error")
        return redirect(url_for("backoffice.settlements")), 303
    try:
        rate = commissions.parse_percent(form.percent.data)
        commissions.set_rate(current_user, form.centre_id.data, rate, form.effective_from.data)
        flash(_("Commission saved. Days before it keep their rate."), "success")
    except DomainError as error:
        fail(error)
    return redirect(url_for("backoffice.settlements")), 303


@bp.get("/settlements/<start>")
def settlement_period(start: str):
    day = _startor_404(start)
    if not current_user.is_admin:
        return redirect(url_for("backoffice.statement", start=start, centre_id=current_user.centre_id or 0)), 303
    found = statements.summary(current_user, day)
    return render_template("backoffice/settlement_period.html", summary=found, start=start, status_label=_status,
                           action_form=ActionForm())


@bp.post("/settlements/<start>/close")
@admin_required
def settlement_close(start: str):
    day = _startor_404(start)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        statements.close_period(current_user, day)
        flash(_("Period closed: its statements will not change."), "success")
    except DomainError as error:
        fail(error)
    return redirect(url_for("backoffice.settlement_period", start=start)), 303


def _statementor_404(start: str, centre_id: int) -> statements.StatementView:
    return or_404(statements.statement(current_user, _startor_404(start), centre_id))


@bp.get("/settlements/<start>/centres/<int:centre_id>")
def statement(start: str, centre_id: int):
    found = _statementor_404(start, centre_id)
    return render_template("backoffice/statement.html", statement=found, start=start, status_label=_status,
                           kind_label=kind_label, payout_form=PayoutForm())


@bp.get("/settlements/<start>/centres/<int:centre_id>/statement.csv")
def statement_csv(start: str, centre_id: int):
    found = _statementor_404(start, centre_id)
    name = f"statement-{found.centre.slug}-{start}.csv"
    return Response(statements.to_csv(found, current_language()), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/settlements/<start>/centres/<int:centre_id>/statement.pdf")
def statement_pdf(start: str, centre_id: int):
    found = _statementor_404(start, centre_id)
    lang = request.args.get("lang", current_language())
    if lang not in document_files.LANGS:
        abort(404)
    pdf = statements.to_pdf(found, lang)
    name = f"statement-{found.centre.slug}-{start}-{lang}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={name}"})


@bp.post("/statements/<int:statement_id>/payouts")
@admin_required
def payout_new(statement_id: int):
    found = or_404(statements.statement_by_id(current_user, statement_id))
    back = url_for("backoffice.statement", start=found.period.starts_on.isoformat(), centre_id=found.centre_id)
    form = PayoutForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Please check the payout."), "error")
        return redirect(back), 303
    upload = form.proof.data
    proof = upload.read() if upload and getattr(upload, "filename", "") else None
    try:
        payouts.record_payout(current_user, found.id, form.paid_on.data, form.amount.data, form.bank_reference.data, proof)
        flash(_("Payout recorded."), "success")
    except DomainError as error:
        fail(error)
    return redirect(back), 303


@bp.get("/payouts/<int:payout_id>/proof")
def payout_proof(payout_id: int):
    path = or_404(payouts.proof_path(current_user, payout_id))
    return send_file(path, mimetype="image/jpeg", max_age=0)


@bp.get("/orders/<int:order_id>/documents/<number>.pdf")
@admin_required
def document_reprint(order_id: int, number: str):
    """An admin reprints a receipt or credit note: a fresh PDF marked copy (สำเนา)."""
    order = or_404(db.session.get(Order, order_id))
    document = or_404(documents.document_of_order(order.id, number))
    lang = request.args.get("lang", current_language())
    if lang not in document_files.LANGS:
        abort(404)
    pdf = document_files.render(document, lang, copy=True)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={document_files.filename(document, lang, copy=True)}"})
