"""Payments and refunds (association admins): PromptPay transfers to check, an order's page
with its refund form, and every order that owes its customer money."""
from __future__ import annotations

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.access import admin_required
from shop.backoffice.common import fail, or_404, refuse
from shop.backoffice.payment_forms import ConfirmTransferForm, RefundForm, RejectTransferForm
from shop.services.errors import DomainError
from shop.services.ordering import refunds
from shop.services.ordering.checkout import order_by_id
from shop.services.payments import promptpay, slips
from shop.services.payments import refunds as payment_refunds


@bp.get("/payments")
@admin_required
def payments():
    return _payments_page()


def _payments_page(order_id: int | None = None, form: ConfirmTransferForm | None = None, amount_error: str = ""):
    """The transfers to check; after a refused amount, that order's form keeps what was typed and
    shows why beside the amount (400)."""
    page = render_template("backoffice/payments.html", orders=promptpay.awaiting_transfers(current_user),
                           confirm_form=form or ConfirmTransferForm(), reject_form=RejectTransferForm(),
                           refused_order_id=order_id, amount_error=amount_error)
    return (page, 400) if amount_error else page


@bp.get("/slips/<int:slip_id>.jpg")
@admin_required
def slip_picture(slip_id: int):
    """A customer's transfer slip, as stored (a re-encoded JPEG): admins only, never cached."""
    return send_file(or_404(slips.slip_picture(current_user, slip_id)), mimetype="image/jpeg", max_age=0)


@bp.post("/orders/<int:order_id>/confirm-transfer")
@admin_required
def confirm_transfer(order_id: int):
    form = ConfirmTransferForm()
    if not form.validate_on_submit():
        amount_error = next((str(e) for e in [*form.amount.process_errors, *form.amount.errors] if e), None)
        if amount_error and not form.csrf_token.errors:  # a wrong amount is said at its field
            return _payments_page(order_id, form, amount_error)
        flash(_("Please give the reference and the amount received."), "error")
        return redirect(url_for("backoffice.payments")), 303
    try:
        outcome = promptpay.confirm_transfer(current_user, order_id, form.reference.data, form.amount.data)
    except promptpay.TransferMismatch as error:
        return _payments_page(order_id, form, str(error.message))
    except DomainError as error:
        fail(error)
        return redirect(url_for("backoffice.payments")), 303
    messages = {"paid": _("Payment confirmed: the order is paid and its parcels are in the centres' queues."),
                "revived": _("Payment confirmed for an expired order: the stock was still there, so it is paid."),
                "duplicate": _("That transfer was already recorded; nothing changed."),
                "flagged": _("Payment recorded but the order needs attention (see the order).")}
    flash(messages[outcome], "success" if outcome in {"paid", "revived"} else "error")
    return redirect(url_for("backoffice.payments")), 303


@bp.post("/orders/<int:order_id>/reject-transfer")
@admin_required
def reject_transfer(order_id: int):
    form = RejectTransferForm()
    if form.validate_on_submit():
        try:
            promptpay.reject_transfer(current_user, order_id, form.note.data)
            flash(_("Order cancelled and its stock returned."), "success")
        except DomainError as error:
            fail(error)
    return redirect(url_for("backoffice.payments")), 303


@bp.get("/orders/<int:order_id>")
@admin_required
def order(order_id: int):
    found = or_404(order_by_id(order_id))
    return render_template("backoffice/order.html", order=found, refund_form=RefundForm.for_order(found),
                           due=refunds.refund_due(found), refunded=refunds.refunded_quantities(found.id),
                           refunded_total=refunds.refunded_total(found.id))


@bp.get("/refunds-due")
@admin_required
def refunds_due():
    """Every order that owes its customer money: paid too late, parcels cancelled, paid twice."""
    return render_template("backoffice/refunds_due.html", dues=refunds.refunds_due())


@bp.post("/orders/<int:order_id>/refund")
@admin_required
def order_refund(order_id: int):
    """Refund the whole order, a centre's parcel, or some lines (quantities per line)."""
    found = or_404(order_by_id(order_id))
    form = RefundForm.for_order(found)
    if not form.validate_on_submit():
        refuse(form)
    else:
        try:
            payment_refunds.refund(current_user, found.id, form.lines(), form.shipment_ids(), restock=form.restock.data,
                                   reason=form.reason.data or "")
            flash(_("Refund made; it counts against the centres' figures."), "success")
        except DomainError as error:
            fail(error)
    return redirect(url_for("backoffice.order", order_id=order_id)), 303
