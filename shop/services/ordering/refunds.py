"""What can still be refunded on an order, and what an order owes its customer.

Recording a refund is a lifecycle transition (lifecycle.record_refund); moving the money is
the payment method's (payments.refunds).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.models import Order, Payment, Refund, Shipment
from shop.services.errors import DomainError
from shop.services.ordering.lifecycle import refunded_quantities

__all__ = ["RefundTooLarge", "refunded_quantities", "refunded_total", "paid_total", "plan", "whole_shipment",
           "encode_selection", "decode_selection", "refund_due", "refunds_due", "refunds_of"]


class RefundTooLarge(DomainError):
    message = _l("That is more than is left to refund on this order.")


def refunded_total(order_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Refund.amount_satang), 0)).where(Refund.order_id == order_id)) or 0)


def paid_total(order_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Payment.amount_satang), 0)).where(Payment.order_id == order_id)) or 0)


def encode_selection(lines: Mapping[int, int], shipments: list[int]) -> str:
    """Compact text for Stripe metadata: '12x1,13x2|s4' (line x quantity | shipments whose fee)."""
    return ",".join(f"{k}x{v}" for k, v in sorted(lines.items()) if v) + "|" + ",".join(f"s{s}" for s in sorted(shipments))


def decode_selection(text: str) -> tuple[dict[int, int], list[int]]:
    """The reverse of encode_selection; raises ValueError for text it did not write."""
    lines_part, _, ship_part = (text or "").partition("|")
    lines: dict[int, int] = {}
    for part in filter(None, lines_part.split(",")):
        found = re.fullmatch(r"([0-9]{1,18})x([0-9]{1,9})", part)
        if found is None:
            raise ValueError("not a line selection")
        lines[int(found[1])] = int(found[2])
    shipments = []
    for part in filter(None, ship_part.split(",")):
        found = re.fullmatch(r"s([0-9]{1,18})", part)
        if found is None:
            raise ValueError("not a shipment selection")
        shipments.append(int(found[1]))
    return lines, shipments


def plan(order: Order, lines: Mapping[int, int], shipment_ids: list[int]) -> tuple[int, int]:
    """(products, shipping) in satang for this selection, checked against what is left."""
    by_id = {line.id: line for line in order.lines}
    already = refunded_quantities(order.id)
    products = 0
    for line_id, quantity in lines.items():
        line = by_id.get(line_id)
        if line is None or quantity < 0 or quantity > line.quantity - already.get(line_id, 0):
            raise RefundTooLarge()
        products += line.unit_price_satang * quantity
    shipping = sum(shipment.shipping_fee_satang for shipment in order.shipments if shipment.id in shipment_ids)
    if products + shipping <= 0 or products + shipping + refunded_total(order.id) > paid_total(order.id):
        raise RefundTooLarge()
    return products, shipping


def whole_shipment(order: Order, shipment_id: int) -> dict[int, int]:
    already = refunded_quantities(order.id)
    return {ln.id: ln.quantity - already.get(ln.id, 0) for ln in order.lines if ln.shipment_id == shipment_id}


@dataclass(frozen=True)
class RefundDue:
    order: Order
    paid_satang: int
    refunded_satang: int
    kept_satang: int  # the goods and shipping the customer still gets

    @property
    def due_satang(self) -> int:
        return self.paid_satang - self.refunded_satang - self.kept_satang


def refund_due(order: Order) -> RefundDue:
    """Money paid, less refunds, less what the customer still gets (parcels not cancelled)."""
    already = refunded_quantities(order.id)
    kept = 0
    if order.status == "paid":
        for shipment in order.shipments:
            if shipment.status == "cancelled":
                continue
            kept += sum(line.unit_price_satang * (line.quantity - already.get(line.id, 0)) for line in shipment.lines)
            kept += shipment.shipping_fee_satang
    return RefundDue(order, paid_total(order.id), refunded_total(order.id), kept)


def refunds_due(limit: int = 500) -> list[RefundDue]:
    """Every order that owes its customer money: paid but expired or cancelled, parcels cancelled, overpaid."""
    candidates = db.session.scalars(
        select(Order).where(
            Order.payments.any(),
            or_(Order.status != "paid", Order.shipments.any(Shipment.status == "cancelled"), Order.attention != ""),
        ).options(selectinload(Order.shipments).selectinload(Shipment.lines)).order_by(Order.id).limit(limit)
    ).unique()
    return [due for due in map(refund_due, candidates) if due.due_satang > 0]


def refunds_of(order_id: int) -> list[Refund]:
    """The order's refunds, oldest first, for the customer's and the admin's order pages."""
    return list(db.session.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)))
