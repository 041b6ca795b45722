"""Giving money back: the payment method moves it, then the lifecycle records the refund.

An admin refunds some lines, whole parcels or the whole order of any order that holds money:
paid ones, and those paid too late whose stock was gone ("refunds due").
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Refund, Shipment, User
from shop.services.errors import DomainError
from shop.services.ordering import lifecycle
from shop.services.ordering import refunds as owed
from shop.services.payments import stripe_checkout


def refund(actor: User, order_id: int, lines: Mapping[int, int], shipment_ids: list[int], *, restock: bool, reason: str = "") -> Refund:
    """An admin refunds part or all of an order: through Stripe, or recorded for a transfer."""
    if not actor.is_admin:
        raise DomainError()
    order = db.session.get(Order, order_id)
    if order is None or owed.paid_total(order.id) <= 0:
        raise DomainError(_l("Only paid orders can be refunded."))
    lines = {k: v for k, v in lines.items() if v}
    products, shipping = owed.plan(order, lines, shipment_ids)
    count = db.session.scalar(select(func.count(Refund.id)).where(Refund.order_id == order.id)) or 0
    if order.payment_method == stripe_checkout.StripeCheckout.code:
        reference = stripe_checkout.create_refund(order, products + shipping, owed.encode_selection(lines, shipment_ids),
                                                  restock=restock, attempt=count)
    else:
        reference = f"manual-{order.number}-{count + 1}"
    return lifecycle.record_refund(order.id, reference, order.payment_method, lines, shipment_ids, products + shipping,
                                   restock=restock, reason=reason, actor=actor)


def cancel_and_refund(actor: User, shipment_id: int, reason: str = "") -> Refund:
    """An admin calls off a paid parcel that is not sent yet: its lines and fee are refunded, its units
    go back on sale, and the parcel is cancelled, in one step."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or not actor.is_admin:
        raise DomainError()
    if shipment.status not in lifecycle.UNSENT or shipment.order.status != "paid":
        raise lifecycle.IllegalTransition(step="cancel_shipment", status=shipment.status)
    order = shipment.order
    return refund(actor, order.id, owed.whole_shipment(order, shipment.id), [shipment.id], restock=True, reason=reason)
