"""Centre staff pack and send their part of each paid order; the customer hears of each step."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from shop.extensions import begin_write, db
from shop.models import Order, Shipment, User
from shop.models._base import utcnow
from shop.services import audit, inventory
from shop.services.errors import DomainError
from shop.services.notifications import send_email
from shop.services.scope import scoped

# status -> the statuses it may move to
NEXT = {"to_pack": {"packed", "cancelled"}, "packed": {"shipped", "cancelled"}, "shipped": {"delivered"}}


class WrongStep(DomainError):
    message = _l("That shipment cannot take that step now.")


def queue(actor: User, status: str | None = None) -> list[Shipment]:
    """The actor's centre's shipments of paid orders, oldest first."""
    stmt = (
        select(Shipment).join(Shipment.order)
        .where(Order.status == "paid")
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


def _locked(actor: User, shipment_id: int) -> Shipment:
    stmt = scoped(select(Shipment).where(Shipment.id == shipment_id), actor, Shipment.centre_id).with_for_update()
    found = db.session.scalar(stmt)
    if found is None:
        db.session.rollback()
        raise DomainError()
    return found


def _step(actor: User, shipment_id: int, new_status: str, now: datetime | None = None, **fields) -> Shipment:
    now = now or utcnow()
    begin_write()
    found = _locked(actor, shipment_id)
    if found.order.status != "paid" or new_status not in NEXT.get(found.status, set()):
        db.session.rollback()
        raise WrongStep()
    before = {"status": found.status}
    # What the parcel still holds: a line refunded and restocked before shipping holds less.
    # A variant belongs to one centre, so the order's hold of it is this parcel's hold.
    held = inventory.held_for_order(found.order_id)
    wanted: dict[int, int] = {}
    for line in found.lines:
        wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    lines = [(variant_id, min(quantity, held.get(variant_id, 0))) for variant_id, quantity in sorted(wanted.items())]
    lines = [(variant_id, quantity) for variant_id, quantity in lines if quantity > 0]
    if new_status == "shipped":
        inventory.ship(lines, found.order_id, user_id=actor.id)
        found.shipped_at = now
    elif new_status == "packed":
        found.packed_at = now
    elif new_status == "delivered":
        found.delivered_at = now
    elif new_status == "cancelled":
        inventory.release(lines, found.order_id, note="shipment cancelled before sending")
        found.cancelled_at = now
        found.order.attention = (found.order.attention + "\n" + f"Shipment from centre {found.centre_id} cancelled "
                                 f"after payment: refund {found.subtotal_satang + found.shipping_fee_satang} satang due.").strip()
    for key, value in fields.items():
        setattr(found, key, value)
    found.status = new_status
    audit.record(actor, f"shipment.{new_status}", found, before=before, after={"status": new_status, **fields})
    db.session.commit()
    send_email(found.order.email, "shipment_update", found.order.lang, order=found.order, shipment=found,
               order_url=_order_url(found.order))
    return found


def _order_url(order: Order) -> str:
    from shop.services.checkout import order_url

    return order_url(order)


def mark_packed(actor: User, shipment_id: int) -> Shipment:
    return _step(actor, shipment_id, "packed")


def mark_shipped(actor: User, shipment_id: int, carrier: str, tracking_number: str) -> Shipment:
    carrier, tracking_number = carrier.strip()[:100], tracking_number.strip()[:100]
    if not carrier or not tracking_number:
        raise DomainError(_l("Please give the carrier and the tracking number."))
    return _step(actor, shipment_id, "shipped", carrier=carrier, tracking_number=tracking_number)


def mark_delivered(actor: User, shipment_id: int) -> Shipment:
    return _step(actor, shipment_id, "delivered")


def cancel_shipment(actor: User, shipment_id: int) -> Shipment:
    """Before it is sent: its stock returns, and the order is flagged for the refund."""
    return _step(actor, shipment_id, "cancelled")


# --- Payments by PromptPay transfer (association admins) -------------------------------------

class TransferMismatch(DomainError):
    message = _l("The amount does not match the order total. Nothing was recorded; check the transfer.")


def awaiting_transfers(actor: User) -> list[Order]:
    if not actor.is_admin:
        return []
    stmt = (
        select(Order).where(Order.status.in_(["awaiting_payment", "expired"]), Order.payment_method == "promptpay_transfer")
        .order_by(Order.created_at).limit(500)
    )
    return list(db.session.scalars(stmt))


def confirm_transfer(actor: User, order_id: int, reference: str, amount_satang: int) -> str:
    """An admin saw the money arrive: record it against the order (checked amount, once)."""
    from shop.services.checkout import record_payment

    if not actor.is_admin:
        raise DomainError()
    order = db.session.get(Order, order_id)
    if order is None or order.payment_method != "promptpay_transfer":
        raise DomainError()
    reference = reference.strip()[:200]
    if not reference:
        raise DomainError(_l("Please give the transfer's reference."))
    if amount_satang != order.total_satang:
        raise TransferMismatch()
    outcome = record_payment(order.id, method="promptpay_transfer", reference=reference,
                             amount_satang=amount_satang, recorded_by_id=actor.id)
    begin_write()
    audit.record(actor, "payment.confirm", db.session.get(Order, order_id), centre_id=None,
                 after={"reference": reference, "amount_satang": amount_satang, "outcome": outcome})
    db.session.commit()
    return outcome


def reject_transfer(actor: User, order_id: int, note: str) -> None:
    """No money came: cancel the unpaid order and give its stock back."""
    from shop.services.checkout import cancel_unpaid_order

    if not actor.is_admin:
        raise DomainError()
    order = db.session.get(Order, order_id)
    if order is None:
        raise DomainError()
    cancel_unpaid_order(order)
    begin_write()
    audit.record(actor, "payment.reject", db.session.get(Order, order_id), after={"note": note[:500]})
    db.session.commit()
