"""Stock: guarded updates that never oversell, and a ledger row for every change.

Every change goes through these functions inside the caller's transaction. Variants are
touched in id order so that concurrent orders never deadlock, and each update checks the
stock it needs in its WHERE clause, so two buyers can never both take the last unit.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from sqlalchemy import CursorResult, Table, insert, select, update

from shop.extensions import db
from shop.models import Product, StockMovement, Variant
from shop.models.catalog import note_stock_change
from shop.services.errors import OutOfStock, PriceChanged

variant_table = cast(Table, Variant.__table__)
product_table = cast(Table, Product.__table__)
movement_table = cast(Table, StockMovement.__table__)


def _merged(lines: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    totals: dict[int, int] = {}
    for variant_id, quantity in lines:
        totals[variant_id] = totals.get(variant_id, 0) + quantity
    return sorted(totals.items())


def _record(variant_id: int, reason: str, *, on_hand: int = 0, reserved: int = 0, order_id=None, user_id=None, note=""):
    db.session.execute(
        insert(movement_table).values(
            variant_id=variant_id,
            on_hand_delta=on_hand,
            reserved_delta=reserved,
            reason=reason,
            order_id=order_id,
            user_id=user_id,
            note=note,
            created_at=db.func.now(),
        )
    )


def _run(stmt) -> CursorResult:
    """Execute a guarded UPDATE; its rowcount says whether the guard held."""
    return cast(CursorResult, db.session.execute(stmt))


def _changed(changes: Iterable[tuple[int, int, int]]) -> None:
    """(variant, change on hand, change reserved): these variants' pages move when this transaction
    commits, and the lists if a count crossed zero (not before: the counters are taken last, so
    the rows they lock are held for as short a time as can be)."""
    note_stock_change(db.session, changes)


def reserve(lines: Iterable[tuple[int, int]], order_id: int, prices: Mapping[int, int] | None = None) -> None:
    """Hold stock for an order; raise OutOfStock (caller rolls back) if any unit is missing.

    With `prices` (variant id -> unit price the order was built with, read before this
    transaction), the same guarded UPDATE also checks the price still holds and the product is
    still on sale, and raises PriceChanged if not: the checkout reads first and locks last.
    """
    merged = _merged(lines)
    for variant_id, quantity in merged:
        guards = [
            variant_table.c.id == variant_id,
            variant_table.c.active.is_(True),
            variant_table.c.stock_on_hand - variant_table.c.stock_reserved >= quantity,
        ]
        if prices is not None:
            guards += [
                variant_table.c.price_satang == prices[variant_id],
                variant_table.c.product_id.in_(select(product_table.c.id).where(product_table.c.status == "active")),
            ]
        result = _run(update(variant_table).where(*guards).values(stock_reserved=variant_table.c.stock_reserved + quantity))
        if result.rowcount != 1:
            if prices is not None and _price_or_sale_changed(variant_id, prices[variant_id]):
                raise PriceChanged()
            raise OutOfStock(variant_id=variant_id)
        _record(variant_id, "reserve", reserved=quantity, order_id=order_id)
    _changed((v, 0, q) for v, q in merged)


def _price_or_sale_changed(variant_id: int, price: int) -> bool:
    row = db.session.execute(
        select(variant_table.c.price_satang, variant_table.c.active, product_table.c.status)
        .join(product_table, product_table.c.id == variant_table.c.product_id)
        .where(variant_table.c.id == variant_id)
    ).first()
    return row is None or row.price_satang != price or not row.active or row.status != "active"


def release(lines: Iterable[tuple[int, int]], order_id: int, note: str = "") -> None:
    """Give an order's held stock back."""
    merged = _merged(lines)
    for variant_id, quantity in merged:
        result = _run(
            update(variant_table)
            .where(variant_table.c.id == variant_id, variant_table.c.stock_reserved >= quantity)
            .values(stock_reserved=variant_table.c.stock_reserved - quantity)
        )
        if result.rowcount != 1:  # would mean the ledger and the counters disagree
            raise RuntimeError(f"variant {variant_id} holds less than {quantity} reserved units")
        _record(variant_id, "release", reserved=-quantity, order_id=order_id, note=note)
    _changed((v, 0, -q) for v, q in merged)


def ship(lines: Iterable[tuple[int, int]], order_id: int, user_id: int | None = None) -> None:
    """Held units leave the shelf: both on-hand and reserved go down."""
    merged = _merged(lines)
    for variant_id, quantity in merged:
        result = _run(
            update(variant_table)
            .where(variant_table.c.id == variant_id, variant_table.c.stock_reserved >= quantity)
            .values(
                stock_on_hand=variant_table.c.stock_on_hand - quantity,
                stock_reserved=variant_table.c.stock_reserved - quantity,
            )
        )
        if result.rowcount != 1:
            raise RuntimeError(f"variant {variant_id} holds less than {quantity} reserved units")
        _record(variant_id, "ship", on_hand=-quantity, reserved=-quantity, order_id=order_id, user_id=user_id)
    _changed((v, -q, -q) for v, q in merged)


def write_off(lines: Iterable[tuple[int, int]], order_id: int, user_id: int | None = None, note: str = "") -> None:
    """Held units that will never be sold (refunded and not put back): they leave the shelf."""
    merged = _merged(lines)
    for variant_id, quantity in merged:
        result = _run(
            update(variant_table)
            .where(variant_table.c.id == variant_id, variant_table.c.stock_reserved >= quantity)
            .values(
                stock_on_hand=variant_table.c.stock_on_hand - quantity,
                stock_reserved=variant_table.c.stock_reserved - quantity,
            )
        )
        if result.rowcount != 1:
            raise RuntimeError(f"variant {variant_id} holds less than {quantity} reserved units")
        _record(variant_id, "adjust", on_hand=-quantity, reserved=-quantity, order_id=order_id, user_id=user_id, note=note)
    _changed((v, -q, -q) for v, q in merged)


def change_on_hand(variant_id: int, delta: int, reason: str, user_id: int | None = None, note: str = "",
                   bump_version: bool = True) -> None:
    """Receive (+) or adjust (±) the units on the shelf; never below what is reserved.

    bump_version=False leaves the catalogue version to the caller, who bumps it once after its
    last row lock (a transfer of several variants), so the version row is always locked last."""
    result = _run(
        update(variant_table)
        .where(
            variant_table.c.id == variant_id,
            variant_table.c.stock_on_hand + delta >= variant_table.c.stock_reserved,
        )
        .values(stock_on_hand=variant_table.c.stock_on_hand + delta)
    )
    if result.rowcount != 1:
        raise OutOfStock(variant_id=variant_id)
    _record(variant_id, reason, on_hand=delta, user_id=user_id, note=note)
    if bump_version:
        _changed([(variant_id, delta, 0)])
