"""The one home of an order's and a parcel's status.

Every change of status is a named transition with the states it may start from; anything
else raises IllegalTransition and changes nothing. A transition moves the stock it owns
(holds, releases, shipments, returns) and announces an event inside its transaction; the
ledger, the audit log and the emails listen (shop/services/effects.py wires them).

Payment methods sit above this module and call it; it never imports them.

    order:    awaiting_payment --mark_paid--> paid
              awaiting_payment --receive_slip--> slip_received --mark_paid--> paid
              awaiting_payment --expire--> expired --revive_late_payment--> paid
              awaiting_payment --cancel--> cancelled
              awaiting_payment | slip_received --reject--> cancelled   (an admin saw no money)
    parcel:   to_pack --pack--> packed --ship--> shipped --deliver--> delivered
              to_pack | packed --cancel_shipment--> cancelled   (also when every line is refunded)

A customer who sent a transfer slip has done their part: slip_received keeps the stock held
with no deadline (receive_slip clears reserved_until, and only awaiting_payment orders expire),
so the order cannot be lost to expiry while an admin compares the slip with the bank statement.
The customer can no longer cancel it; an admin confirms the payment at the exact amount
(mark_paid) or rejects it (reject: the stock goes back).

Workshop seats (lines with no_parcel) are never packed: payment takes the seats from the
session's stock at once, and a parcel holding only seats is delivered when the order is paid.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, Payment, Refund, RefundLine, Shipment, User
from shop.models._base import utcnow
from shop.services.errors import DomainError, OrderClosed, OutOfStock
from shop.services.ordering import attention, events, inventory
from shop.services.people.scope import scoped
from shop.services.thai import as_utc

ORDER_STEPS: dict[str, tuple[frozenset[str], str]] = {
    "mark_paid": (frozenset({"awaiting_payment", "slip_received"}), "paid"),
    "receive_slip": (frozenset({"awaiting_payment"}), "slip_received"),
    "revive_late_payment": (frozenset({"expired"}), "paid"),
    "expire": (frozenset({"awaiting_payment"}), "expired"),
    "cancel": (frozenset({"awaiting_payment"}), "cancelled"),
    "reject": (frozenset({"awaiting_payment", "slip_received"}), "cancelled"),
}
AWAITING_MONEY = frozenset({"awaiting_payment", "slip_received"})
SHIPMENT_STEPS: dict[str, tuple[frozenset[str], str]] = {
    "pack": (frozenset({"to_pack"}), "packed"),
    "ship": (frozenset({"packed"}), "shipped"),
    "deliver": (frozenset({"shipped"}), "delivered"),
    "cancel_shipment": (frozenset({"to_pack", "packed"}), "cancelled"),
}
UNSENT = frozenset({"to_pack", "packed"})


class IllegalTransition(DomainError):
    message = _l("That order or parcel cannot take that step now.")


def _move_order(order: Order, step: str) -> None:
    allowed, target = ORDER_STEPS[step]
    if order.status not in allowed:
        raise IllegalTransition(step=step, status=order.status)
    order.status = target


def _move_shipment(shipment: Shipment, step: str) -> str:
    allowed, target = SHIPMENT_STEPS[step]
    if shipment.status not in allowed:
        raise IllegalTransition(step=step, status=shipment.status)
    before, shipment.status = shipment.status, target
    return before


def _lock(order_id: int) -> Order | None:
    return db.session.scalar(select(Order).where(Order.id == order_id).with_for_update())


def _hold(order: Order) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in order.lines]


def _seats(order: Order) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in order.lines if line.no_parcel]


def flag(order: Order, code: str, **values: Any) -> None:
    """Something a person must look at (a refund due, an odd payment): kept on the order as a
    message code and its values (see attention.MESSAGES), shown in the reader's language."""
    attention.add(order, code, **values)


# --- Orders ---------------------------------------------------------------------------------

def placed(order: Order) -> None:
    """A new order holds its stock (called by checkout inside its transaction), at the prices it
    was built with: a price changed since then raises PriceChanged."""
    prices = {line.variant_id: line.unit_price_satang for line in order.lines}
    inventory.reserve(_hold(order), order.id, prices=prices)
    events.announce(events.OrderPlaced(order))


def _close_unpaid(order: Order, step: str, note: str, now: datetime) -> None:
    _move_order(order, step)
    inventory.release(_hold(order), order.id, note=note)
    order.closed_at = now
    for shipment in order.shipments:
        shipment.status = "cancelled"
        shipment.cancelled_at = now
    events.announce(events.OrderClosed(order, order.status, now))


def expire(order_id: int, note: str, now: datetime | None = None) -> bool:
    """An unpaid order's time ran out (or its payment session ended unpaid): stock goes back."""
    now = now or utcnow()
    begin_write()
    order = _lock(order_id)
    if order is None or order.status != "awaiting_payment":
        events.rollback()
        return False
    _close_unpaid(order, "expire", note, now)
    events.commit()
    return True


def soonest_hold():
    """When the first unpaid order's hold runs out: a scalar subquery other reads can embed."""
    return (select(func.min(Order.reserved_until)).where(Order.status == "awaiting_payment")).scalar_subquery()


def expire_overdue_orders(now: datetime | None = None, limit: int = 500) -> int:
    """Expire unpaid orders past their hold and give their stock back; returns how many."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Order.id).where(Order.status == "awaiting_payment", Order.reserved_until < now).order_by(Order.id).limit(limit)
    ).all()
    expired = 0
    for order_id in due:
        begin_write()
        order = db.session.scalar(select(Order).where(Order.id == order_id).with_for_update(skip_locked=True))
        if order is None or order.status != "awaiting_payment" or order.reserved_until is None or as_utc(order.reserved_until) >= now:
            events.rollback()
            continue
        _close_unpaid(order, "expire", "reservation expired", now)
        events.commit()
        expired += 1
    return expired


def cancel(order_id: int, note: str, now: datetime | None = None, commit: bool = True, step: str = "cancel") -> Order:
    """An unpaid order is called off: by the customer (step "cancel"), or by an admin who saw
    no money come (step "reject", which also ends an order whose slip was received).

    With commit=False the caller commits (to add its own audit entry to the same transaction).
    """
    now = now or utcnow()
    begin_write()
    order = _lock(order_id)
    if order is None:
        events.rollback()
        raise DomainError()
    try:
        _close_unpaid(order, step, note, now)
    except IllegalTransition:
        events.rollback()
        raise OrderClosed() from None
    if commit:
        events.commit()
    return order


def receive_slip(order_id: int) -> Order:
    """The customer sent a transfer slip: lock the order and move it to slip_received.

    Inside the caller's transaction (the caller stores the slip and commits): the stock stays
    held with no deadline until an admin confirms or rejects. A second slip for an order that
    already has one leaves it as it is. Raises OrderClosed when the order takes no slip (paid,
    cancelled, expired) or is not a known order.
    """
    order = _lock(order_id)
    if order is None:
        raise DomainError()
    if order.status == "slip_received":
        return order
    try:
        _move_order(order, "receive_slip")
    except IllegalTransition:
        raise OrderClosed() from None
    order.reserved_until = None
    return order


PAID, REVIVED, DUPLICATE, FLAGGED = "paid", "revived", "duplicate", "flagged"


def record_payment(order_id: int, *, method: str, reference: str, amount_satang: int, fee_satang: int | None = None,
                   recorded_by_id: int | None = None, now: datetime | None = None, commit: bool = True) -> str:
    """Money received for an order, recorded exactly once per (method, reference).

    `fee_satang` is what the method charged for it (None while not known: settlements ask later).

    Never loses a payment: an expired order is revived if its stock is still there, and
    anything that cannot be honoured is flagged for a person (a refund due) instead.
    With commit=False the caller commits (to add its own audit entry to the same transaction).
    """
    now = now or utcnow()
    if not isinstance(amount_satang, int) or amount_satang <= 0:
        raise ValueError("amount must be a positive int number of satang")
    begin_write()
    order = _lock(order_id)
    if order is None:
        events.rollback()
        raise LookupError(f"no order {order_id}")
    if db.session.scalar(select(Payment.id).where(Payment.method == method, Payment.reference == reference)):
        events.rollback()
        return DUPLICATE
    db.session.add(Payment(order_id=order.id, method=method, reference=reference, amount_satang=amount_satang,
                           fee_satang=fee_satang, recorded_by_id=recorded_by_id, created_at=now))
    outcome = PAID
    if amount_satang != order.total_satang:
        outcome = FLAGGED
        flag(order, "payment_amount_mismatch", reference=reference, amount_satang=amount_satang, total_satang=order.total_satang)
    elif order.status in AWAITING_MONEY:
        _mark_paid(order, "mark_paid", now)
    elif order.status == "expired":
        try:
            with db.session.begin_nested():
                inventory.reserve(_hold(order), order.id)
            _mark_paid(order, "revive_late_payment", now)
            outcome = REVIVED
            flag(order, "late_payment_revived", reference=reference)
        except OutOfStock:
            outcome = FLAGGED
            flag(order, "late_payment_stock_gone", reference=reference, amount_satang=amount_satang)
    else:
        outcome = FLAGGED
        flag(order, "payment_for_closed_order", reference=reference, amount_satang=amount_satang, status=order.status)
    if commit:
        events.commit()
    return outcome


def _mark_paid(order: Order, step: str, now: datetime) -> None:
    _move_order(order, step)
    order.paid_at = now
    order.closed_at = None
    order.reserved_until = None
    for shipment in order.shipments:
        shipment.status = "to_pack"
        shipment.cancelled_at = None
    seats = _seats(order)
    if seats:  # a booked seat is taken now; there is nothing to post
        inventory.ship(seats, order.id)
        for shipment in order.shipments:
            if all(line.no_parcel for line in shipment.lines):
                shipment.status = "delivered"
                shipment.delivered_at = now
    events.announce(events.OrderPaid(order, now, revived=step == "revive_late_payment"))


# --- Parcels --------------------------------------------------------------------------------

def refunded_quantities(order_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
        .join(RefundLine.refund).where(Refund.order_id == order_id).group_by(RefundLine.order_line_id)
    ).all()
    return {line_id: int(qty or 0) for line_id, qty in rows}


def to_send(shipment: Shipment) -> list[tuple[int, int]]:
    """(variant, quantity) still to go in this parcel: what was ordered less what was refunded."""
    refunded = refunded_quantities(shipment.order_id)
    wanted = [(line.variant_id, line.quantity - refunded.get(line.id, 0)) for line in shipment.lines if not line.no_parcel]
    return [(variant_id, quantity) for variant_id, quantity in wanted if quantity > 0]


def _locked_shipment(actor: User, shipment_id: int) -> Shipment:
    stmt = scoped(select(Shipment).where(Shipment.id == shipment_id), actor, Shipment.centre_id).with_for_update()
    found = db.session.scalar(stmt)
    if found is None:
        events.rollback()
        raise DomainError()
    return found


def _step(actor: User, shipment_id: int, step: str, now: datetime | None = None, **fields) -> Shipment:
    now = now or utcnow()
    begin_write()
    found = _locked_shipment(actor, shipment_id)
    try:
        if found.order.status != "paid":
            raise IllegalTransition(step=step, status=found.order.status)
        lines = to_send(found)
        if step in {"pack", "ship"} and not lines:  # every line was refunded
            raise IllegalTransition(step=step, status="refunded")
        before = _move_shipment(found, step)
    except IllegalTransition:
        events.rollback()
        raise
    if step == "ship":
        inventory.ship(lines, found.order_id, user_id=actor.id)
        found.shipped_at = now
    elif step == "pack":
        found.packed_at = now
    elif step == "deliver":
        found.delivered_at = now
    elif step == "cancel_shipment":
        inventory.release(lines, found.order_id, note="shipment cancelled before sending")
        found.cancelled_at = now
        owed = sum(line.unit_price_satang * quantity for line in found.lines
                   for variant_id, quantity in lines if variant_id == line.variant_id) + found.shipping_fee_satang
        flag(found.order, "parcel_cancelled_after_payment", centre_id=found.centre_id, amount_satang=owed)
    for key, value in fields.items():
        setattr(found, key, value)
    events.announce(events.ShipmentMoved(found, before, actor, dict(fields)))
    events.commit()
    return found


def pack(actor: User, shipment_id: int) -> Shipment:
    return _step(actor, shipment_id, "pack")


def ship(actor: User, shipment_id: int, carrier: str, tracking_number: str) -> Shipment:
    carrier, tracking_number = carrier.strip()[:100], tracking_number.strip()[:100]
    if not carrier or not tracking_number:
        raise DomainError(_l("Please give the carrier and the tracking number."))
    return _step(actor, shipment_id, "ship", carrier=carrier, tracking_number=tracking_number)


def deliver(actor: User, shipment_id: int) -> Shipment:
    return _step(actor, shipment_id, "deliver")


def cancel_shipment(actor: User, shipment_id: int) -> Shipment:
    """Before it is sent: its stock returns, and the order owes the customer a refund."""
    return _step(actor, shipment_id, "cancel_shipment")


# --- Refunds --------------------------------------------------------------------------------

def record_refund(order_id: int, reference: str, method: str, lines: Mapping[int, int], shipment_ids: list[int],
                  amount_satang: int, *, restock: bool, reason: str = "", actor: User | None = None,
                  spread: bool = False, now: datetime | None = None) -> Refund:
    """Money went back to the customer: write it once per reference, in its own transaction."""
    begin_write()
    existing = db.session.scalar(select(Refund).where(Refund.reference == reference))
    if existing is not None:
        events.rollback()
        return existing
    order = _lock(order_id)
    if order is None:
        events.rollback()
        raise DomainError()
    refund = book_refund(order, reference, method, lines, shipment_ids, amount_satang, restock=restock, reason=reason,
                         actor=actor, spread=spread, now=now)
    return commit_refund(refund)


def book_refund(order: Order, reference: str, method: str, lines: Mapping[int, int], shipment_ids: list[int],
                amount_satang: int, *, restock: bool, reason: str = "", actor: User | None = None,
                spread: bool = False, now: datetime | None = None) -> Refund:
    """The refund with its lines per centre, inside the caller's transaction (the order locked).

    Refunded units leave what is to be packed: a parcel whose every line is refunded is
    cancelled in the same transaction. Units not yet sent go back on sale when `restock`,
    and are written off otherwise; units already sent come back to the shelf when `restock`.
    `spread` splits an amount that names no lines (a refund made at Stripe) over the lines by value.
    """
    now = now or utcnow()
    by_id = {line.id: line for line in order.lines}
    shipping = sum(s.shipping_fee_satang for s in order.shipments if s.id in shipment_ids)
    refund = Refund(order_id=order.id, reference=reference, method=method, amount_satang=amount_satang,
                    shipping_satang=shipping, reason=reason[:1000], created_by_id=actor.id if actor else None)
    for line_id, quantity in lines.items():
        line = by_id[line_id]
        refund.lines.append(RefundLine(order_line_id=line.id, centre_id=line.centre_id, quantity=quantity,
                                       amount_satang=line.unit_price_satang * quantity))
    if spread and not lines and amount_satang - shipping > 0:
        _spread(refund, order, amount_satang - shipping)
    db.session.add(refund)
    db.session.flush()
    _take_back(order, lines, restock, actor, now)
    events.announce(events.RefundMade(refund, order, list(shipment_ids), now, actor, restock))
    return refund


def commit_refund(refund: Refund) -> Refund:
    """Commit a booked refund; if the same refund was recorded meanwhile (webhook and admin), that one."""
    reference = refund.reference
    try:
        events.commit()
    except IntegrityError:
        events.rollback()
        recorded = db.session.scalar(select(Refund).where(Refund.reference == reference))
        if recorded is None:
            raise
        return recorded
    return refund


def _spread(refund: Refund, order: Order, amount: int) -> None:
    total = sum(line.line_total_satang for line in order.lines) or 1
    shares = [(line, amount * line.line_total_satang // total) for line in order.lines]
    left = amount - sum(share for _, share in shares)
    for index, (line, share) in enumerate(shares):
        extra = 1 if index < left else 0
        if share + extra:
            refund.lines.append(RefundLine(order_line_id=line.id, centre_id=line.centre_id, quantity=0, amount_satang=share + extra))


def _take_back(order: Order, lines: Mapping[int, int], restock: bool, actor: User | None, now: datetime) -> None:
    """Refunded units: back on the shelf or written off; parcels left with nothing are cancelled."""
    shipments = {s.id: s for s in order.shipments}
    user_id = actor.id if actor else None
    for line in order.lines:
        quantity = lines.get(line.id, 0)
        if not quantity:
            continue
        status = shipments[line.shipment_id].status
        if line.no_parcel:  # a seat: taken at payment; restocked, it can be booked again
            if restock and order.status == "paid":
                inventory.change_on_hand(line.variant_id, quantity, "return", user_id=user_id,
                                         note=f"seat refunded, order {order.number}")
            continue
        if status in {"shipped", "delivered"} and restock:
            inventory.change_on_hand(line.variant_id, quantity, "return", user_id=user_id, note=f"refund of order {order.number}")
        elif status in UNSENT and order.status == "paid":
            if restock:
                inventory.release([(line.variant_id, quantity)], order.id, note="refunded before shipping")
            else:
                inventory.write_off([(line.variant_id, quantity)], order.id, user_id=user_id, note="refunded before shipping, not restocked")
    if order.status != "paid":
        return
    db.session.flush()
    refunded = refunded_quantities(order.id)
    for shipment in order.shipments:
        if shipment.status in UNSENT and not to_send(shipment):
            if any(line.no_parcel and line.quantity > refunded.get(line.id, 0) for line in shipment.lines):
                shipment.status, shipment.delivered_at = "delivered", now  # only booked seats are left
                continue
            before = _move_shipment(shipment, "cancel_shipment")
            shipment.cancelled_at = now
            events.announce(events.ShipmentMoved(shipment, before, actor, {"reason": "refunded"}))
