"""Centre staff's parcel queue: what to pack and send. Each step is a lifecycle transition."""
from __future__ import annotations

import re

from barcode import Code128
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from shop.extensions import db
from shop.models import Order, Shipment, User
from shop.services.ordering import lifecycle
from shop.services.people.scope import scoped


def queue(actor: User, status: str | None = None) -> list[Shipment]:
    """The actor's centre's shipments of paid orders, oldest first."""
    # Cancelled parcels of orders that took money stay listed (a refund may be due).
    held_money = Order.payments.any() if status == "cancelled" else Order.status == "paid"
    stmt = (
        select(Shipment).join(Shipment.order)
        .where(held_money)
        .options(joinedload(Shipment.order), selectinload(Shipment.lines), joinedload(Shipment.centre))
        .order_by(Order.paid_at, Shipment.id)
    )
    if status:
        stmt = stmt.where(Shipment.status == status)
    return list(db.session.scalars(scoped(stmt, actor, Shipment.centre_id)).unique())


def shipment(actor: User, shipment_id: int) -> Shipment | None:
    stmt = select(Shipment).where(Shipment.id == shipment_id).options(
        joinedload(Shipment.order), selectinload(Shipment.lines), joinedload(Shipment.centre)
    )
    return db.session.scalar(scoped(stmt, actor, Shipment.centre_id))


def shipments(actor: User, shipment_ids: list[int]) -> list[Shipment]:
    """Several of the actor's shipments at once (printing their packing slips), in the order asked;
    ids of other centres' shipments find nothing."""
    wanted = list(dict.fromkeys(shipment_ids))[:MAX_SLIPS_AT_ONCE]
    stmt = select(Shipment).where(Shipment.id.in_(wanted)).options(
        joinedload(Shipment.order), selectinload(Shipment.lines), joinedload(Shipment.centre)
    )
    found = {s.id: s for s in db.session.scalars(scoped(stmt, actor, Shipment.centre_id)).unique()}
    return [found[i] for i in wanted if i in found]


MAX_SLIPS_AT_ONCE = 100
_BAR_HEIGHT = 40
_QUIET_ZONE = 10  # modules of white either side, as scanners need


def code128_svg(text: str) -> str:
    """`text` as a Code 128 barcode in inline SVG (bars as plain rectangles: no styles, so the
    page's Content-Security-Policy lets it draw), for the packing slip's order number."""
    modules = Code128(text).build()[0]
    width = len(modules) + 2 * _QUIET_ZONE
    bars = "".join(f'<rect x="{run.start() + _QUIET_ZONE}" y="0" width="{len(run.group())}" height="{_BAR_HEIGHT}"/>'
                   for run in re.finditer("1+", modules))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_BAR_HEIGHT}" width="{width * 2}" '
            f'height="{_BAR_HEIGHT * 2}" shape-rendering="crispEdges" aria-hidden="true" focusable="false">'
            f'<rect width="{width}" height="{_BAR_HEIGHT}" fill="#fff"/><g fill="#000">{bars}</g></svg>')


def mark_packed(actor: User, shipment_id: int) -> Shipment:
    return lifecycle.pack(actor, shipment_id)


def mark_shipped(actor: User, shipment_id: int, carrier: str, tracking_number: str) -> Shipment:
    return lifecycle.ship(actor, shipment_id, carrier, tracking_number)


def mark_delivered(actor: User, shipment_id: int) -> Shipment:
    return lifecycle.deliver(actor, shipment_id)


def cancel_shipment(actor: User, shipment_id: int) -> Shipment:
    """Before it is sent: its stock returns, and the order owes the customer a refund."""
    return lifecycle.cancel_shipment(actor, shipment_id)
