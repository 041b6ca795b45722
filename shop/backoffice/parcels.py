"""Parcels (shipments): each centre's queues, the packing slip, and the steps pack, ship,
deliver and cancel; cancel-and-refund is for admins."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from shop.backoffice import bp
from shop.backoffice.access import admin_required
from shop.backoffice.common import fail, or_404
from shop.backoffice.forms import ActionForm
from shop.backoffice.parcel_forms import ShipForm
from shop.services.errors import DomainError
from shop.services.ordering import fulfilment
from shop.services.payments import refunds as payment_refunds

SHIPMENT_FILTERS = ("to_pack", "packed", "shipped", "delivered", "cancelled")

# The steps taken with a bare button (shipping needs the carrier and tracking number).
ACTIONS = {
    "pack": fulfilment.mark_packed,
    "deliver": fulfilment.mark_delivered,
    "cancel": fulfilment.cancel_shipment,
    "cancel-refund": admin_required(lambda actor, shipment_id: payment_refunds.cancel_and_refund(actor, shipment_id)),
}


@bp.get("/shipments")
def shipments():
    status = request.args.get("status", "to_pack")
    if status not in SHIPMENT_FILTERS:
        status = "to_pack"
    return render_template("backoffice/shipments.html", shipments=fulfilment.queue(current_user, status), status=status,
                           filters=SHIPMENT_FILTERS)


@bp.get("/shipments/<int:shipment_id>")
def shipment(shipment_id: int):
    found = or_404(fulfilment.shipment(current_user, shipment_id))
    return render_template("backoffice/shipment.html", shipment=found, ship_form=ShipForm(), action_form=ActionForm())


def _slips(found: list) -> str:
    # The barcode is drawn by our own code from the order number (RL-, digits): safe markup.
    barcodes = {s.id: Markup(fulfilment.code128_svg(s.order.number)) for s in found}  # noqa: S704
    return render_template("backoffice/packing_slip.html", shipments=found, barcodes=barcodes)


@bp.get("/shipments/<int:shipment_id>/slip")
def packing_slip(shipment_id: int):
    return _slips([or_404(fulfilment.shipment(current_user, shipment_id))])


@bp.get("/shipments/slips")
def packing_slips():
    """Several packing slips on one printable page, one per sheet (`?id=1&id=2`, from the shipments list)."""
    ids = [int(v) for v in request.args.getlist("id") if v.isascii() and v.isdigit() and 0 < len(v) <= 9]
    found = fulfilment.shipments(current_user, ids)
    if not found:
        flash(_("Please tick the shipments whose packing slips you want to print."), "error")
        return redirect(url_for("backoffice.shipments", status=request.args.get("status", "to_pack"))), 303
    return _slips(found)


@bp.post("/shipments/<int:shipment_id>/<step>")
def shipment_step(shipment_id: int, step: str):
    or_404(fulfilment.shipment(current_user, shipment_id))
    try:
        if step == "ship":
            form = ShipForm()
            if not form.validate_on_submit():
                raise DomainError(_("Please give the carrier and the tracking number."))
            fulfilment.mark_shipped(current_user, shipment_id, form.carrier.data, form.tracking_number.data)
        elif step in ACTIONS and ActionForm().validate_on_submit():
            ACTIONS[step](current_user, shipment_id)
        else:
            abort(404)
        flash(_("Shipment updated; the customer has been emailed."), "success")
    except DomainError as error:
        fail(error)
    return redirect(url_for("backoffice.shipment", shipment_id=shipment_id)), 303
