"""Who booked a session and who came. Attended seats count as people trained for the centre."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, OrderLine, RefundLine, User, WorkshopAttendance
from shop.models._base import utcnow
from shop.services.errors import DomainError
from shop.services.people import audit
from shop.services.workshops.sessions import session_for


class NotAParticipant(DomainError):
    message = _l("That booking is not a paid seat of this session.")


@dataclass
class Participant:
    line: OrderLine
    order: Order
    seats: int  # booked, less any refunded
    attended: int  # people marked as come (0: not yet)

    @property
    def line_id(self) -> int:
        return self.line.id


def _refunded(line_ids: list[int]) -> dict[int, int]:
    if not line_ids:
        return {}
    rows = db.session.execute(select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
                              .where(RefundLine.order_line_id.in_(line_ids)).group_by(RefundLine.order_line_id))
    return {line_id: int(quantity or 0) for line_id, quantity in rows}


def participants(actor: User, session_id: int) -> list[Participant] | None:
    """The paid seats of a session, by order; None when the actor may not see the session."""
    found = session_for(actor, session_id)
    if found is None:
        return None
    rows = db.session.execute(
        select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.variant_id == found.variant_id, Order.status == "paid")
        .order_by(Order.paid_at, OrderLine.id)
    ).all()
    refunded = _refunded([line.id for line, _order in rows])
    marked = dict(db.session.execute(select(WorkshopAttendance.order_line_id, WorkshopAttendance.people)
                                     .where(WorkshopAttendance.session_id == found.id)).tuples().all())
    result = []
    for line, order in rows:
        seats = line.quantity - refunded.get(line.id, 0)
        if seats > 0 or line.id in marked:
            result.append(Participant(line=line, order=order, seats=max(seats, 0), attended=marked.get(line.id, 0)))
    return result


def mark_attended(actor: User, session_id: int, order_line_id: int, now: datetime | None = None) -> bool:
    """The participant came: their seats count as people trained. Marking twice counts once.

    Returns False when they were already marked. One transaction, audited."""
    now = now or utcnow()
    begin_write()
    found = session_for(actor, session_id)
    if found is None:
        db.session.rollback()
        raise DomainError()
    line = db.session.scalar(select(OrderLine).join(Order, Order.id == OrderLine.order_id).where(
        OrderLine.id == order_line_id, OrderLine.variant_id == found.variant_id, Order.status == "paid"))
    if line is None:
        db.session.rollback()
        raise NotAParticipant()
    if db.session.scalar(select(WorkshopAttendance.id).where(WorkshopAttendance.order_line_id == line.id)):
        db.session.rollback()
        return False
    seats = line.quantity - _refunded([line.id]).get(line.id, 0)
    if seats <= 0:
        db.session.rollback()
        raise NotAParticipant()
    db.session.add(WorkshopAttendance(order_line_id=line.id, session_id=found.id, centre_id=line.centre_id,
                                      people=seats, marked_by_id=actor.id, marked_at=now))
    audit.record(actor, "workshop.attended", found, centre_id=line.centre_id,
                 after={"order_line_id": line.id, "people": seats})
    try:
        db.session.commit()
    except IntegrityError:  # marked at the same moment by someone else: counted once
        db.session.rollback()
        return False
    return True


def unmark_attended(actor: User, session_id: int, order_line_id: int) -> bool:
    """Undo a mistaken mark; returns False when there was none. Audited."""
    begin_write()
    found = session_for(actor, session_id)
    if found is None:
        db.session.rollback()
        raise DomainError()
    mark = db.session.scalar(select(WorkshopAttendance).where(WorkshopAttendance.order_line_id == order_line_id,
                                                              WorkshopAttendance.session_id == found.id))
    if mark is None:
        db.session.rollback()
        return False
    audit.record(actor, "workshop.attendance_removed", found, centre_id=mark.centre_id,
                 before={"order_line_id": order_line_id, "people": mark.people})
    db.session.delete(mark)  # an ORM delete: the published figures' version moves with it
    db.session.commit()
    return True


def attended_people(centre_id: int | None = None) -> int:
    """People marked as come to a workshop (one centre's, or the programme's)."""
    stmt = select(func.coalesce(func.sum(WorkshopAttendance.people), 0))
    if centre_id is not None:
        stmt = stmt.where(WorkshopAttendance.centre_id == centre_id)
    return int(db.session.scalar(stmt) or 0)

