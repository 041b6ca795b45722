"""Centre staff's parcel queue: what to pack and send. Each step is a lifecycle transition."""
from __future__ import annotations

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


def mark_packed(actor: User, shipment_id: int) -> Shipment:
    return lifecycle.pack(actor, shipment_id)


def mark_shipped(actor: User, shipment_id: int, carrier: str, tracking_number: str) -> Shipment:
    return lifecycle.ship(actor, shipment_id, carrier, tracking_number)


def mark_delivered(actor: User, shipment_id: int) -> Shipment:
    return lifecycle.deliver(actor, shipment_id)


def cancel_shipment(actor: User, shipment_id: int) -> Shipment:
    """Before it is sent: its stock returns, and the order owes the customer a refund."""
    return lifecycle.cancel_shipment(actor, shipment_id)
