"""What an order's life announces, and who listens.

A transition in `lifecycle` announces an event inside its transaction. Listeners registered
with `on(...)` run at once, in that same transaction (the sales ledger, the audit log); those
registered with `after_commit=True` run once the transaction has committed (emails). Nothing
here knows who listens: the wiring is in one place, shop/services/effects.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from shop.extensions import db
from shop.models import Order, Refund, Shipment, User


@dataclass(frozen=True)
class OrderPlaced:
    order: Order


@dataclass(frozen=True)
class OrderPaid:
    """Money for the whole order arrived in time (or late, with its stock still there)."""

    order: Order
    at: datetime
    revived: bool = False


@dataclass(frozen=True)
class OrderClosed:
    """An unpaid order ended: expired, cancelled by the customer, or rejected by an admin."""

    order: Order
    status: str
    at: datetime


@dataclass(frozen=True)
class RefundMade:
    refund: Refund
    order: Order
    shipment_ids: list[int]
    at: datetime
    actor: User | None = None
    restock: bool = False


@dataclass(frozen=True)
class ShipmentMoved:
    shipment: Shipment
    before: str
    actor: User | None
    fields: dict[str, Any] = field(default_factory=dict)


Event = OrderPlaced | OrderPaid | OrderClosed | RefundMade | ShipmentMoved
E = TypeVar("E")
_now: dict[type, list[Callable[[Any], None]]] = {}
_later: dict[type, list[Callable[[Any], None]]] = {}
PENDING = "lifecycle_after_commit"


def clear() -> None:
    _now.clear()
    _later.clear()


def on(kind: type[E], listener: Callable[[E], None], *, after_commit: bool = False) -> None:
    """Call `listener(event)` for every event of this kind."""
    (_later if after_commit else _now).setdefault(kind, []).append(listener)


def announce(event: Any) -> None:
    """Inside the transition's transaction: run the listeners now, queue the after-commit ones."""
    for listener in _now.get(type(event), []):
        listener(event)
    for listener in _later.get(type(event), []):
        db.session.info.setdefault(PENDING, []).append((listener, event))


def commit() -> None:
    """Commit the transition, then run what waits for the commit (emails)."""
    db.session.commit()
    pending = db.session.info.pop(PENDING, [])
    for listener, event in pending:
        listener(event)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction: Any) -> None:
    """A transaction that rolled back announced nothing: drop what waited for its commit."""
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def rollback() -> None:
    """Undo the transition; whatever waited for its commit is dropped with it."""
    db.session.rollback()
