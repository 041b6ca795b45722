"""Stock at a centre's places: moving it between the home shelf and locations, and counting it.

Home-shelf changes go through ordering.inventory.change_on_hand (never below what orders hold);
location stock through the guarded updates below. Every change writes a StockMovement row naming
its location (None: the home shelf) with who, when and why, in the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Table, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.extensions import begin_write, db
from shop.i18n import current_language
from shop.models import Location, LocationStock, Product, StockMovement, User, Variant
from shop.models.catalog import note_stock_change
from shop.services.errors import DomainError, OutOfStock
from shop.services.locations.places import LocationClosed, UnknownLocation, location_of, require_staff_of
from shop.services.ordering import inventory
from shop.services.people import audit
from shop.services.people.scope import require_centre
from shop.services.sales.offline import UnknownSku

location_stock_table = cast(Table, LocationStock.__table__)
movement_table = cast(Table, StockMovement.__table__)
MAX_UNITS = 100_000  # units of one SKU in one transfer, sale, report or count
HOME = None  # the home shelf, where location_id is None


class NotEnoughStock(DomainError):
    def __init__(self, product: str, place: str, available: int) -> None:
        super().__init__(_l("Not enough %(product)s at %(place)s: %(available)d can be taken.", product=product, place=place,
                            available=available))


class BadQuantity(DomainError):
    message = _l("Please give each quantity as a whole number from 1 to 100,000.")


class NothingToMove(DomainError):
    message = _l("Please give at least one SKU and its quantity.")


class SamePlace(DomainError):
    message = _l("Please choose two different places to move stock between.")


class ReasonRequired(DomainError):
    message = _l("Please say why (at most 500 characters).")


def _run(stmt) -> CursorResult:
    return cast(CursorResult, db.session.execute(stmt))


def _movement(variant_id: int, location_id: int | None, delta: int, reason: str, user_id: int | None, note: str) -> None:
    db.session.execute(insert(movement_table).values(
        variant_id=variant_id, location_id=location_id, on_hand_delta=delta, reserved_delta=0, reason=reason,
        order_id=None, user_id=user_id, note=note[:1000], created_at=func.now()))


def take(location_id: int, variant_id: int, quantity: int, reason: str, user_id: int | None, note: str) -> None:
    """Units leave a location, never below zero (a guarded UPDATE); NotEnoughStock otherwise."""
    result = _run(update(location_stock_table)
                  .where(location_stock_table.c.location_id == location_id, location_stock_table.c.variant_id == variant_id,
                         location_stock_table.c.on_hand >= quantity)
                  .values(on_hand=location_stock_table.c.on_hand - quantity))
    if result.rowcount != 1:
        raise _not_enough(variant_id, location_id)
    _movement(variant_id, location_id, -quantity, reason, user_id, note)


def put(location_id: int, variant_id: int, quantity: int, reason: str, user_id: int | None, note: str) -> None:
    """Units arrive at a location (its row made if missing), atomically on both databases."""
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(location_stock_table).values(location_id=location_id, variant_id=variant_id, on_hand=quantity)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["location_id", "variant_id"],
                                                  set_={"on_hand": location_stock_table.c.on_hand + stmt.excluded.on_hand}))
    _movement(variant_id, location_id, quantity, reason, user_id, note)


def _change_home(variant_id: int, delta: int, reason: str, user_id: int | None, note: str) -> None:
    try:
        inventory.change_on_hand(variant_id, delta, reason, user_id=user_id, note=note, bump_version=False)
    except OutOfStock:
        raise _not_enough(variant_id, HOME) from None


def _not_enough(variant_id: int, location_id: int | None) -> NotEnoughStock:
    """The refusal, naming the product and the place, with what could be taken there."""
    db.session.rollback()
    lang = current_language()
    variant = db.session.get_one(Variant, variant_id)
    if location_id is HOME:
        place, available = str(_l("the home shelf")), variant.available
    else:
        location = db.session.get_one(Location, location_id)
        place = location.localised("name", lang)
        available = db.session.scalar(select(LocationStock.on_hand).where(
            LocationStock.location_id == location_id, LocationStock.variant_id == variant_id)) or 0
    return NotEnoughStock(variant_label(variant, lang), place, available)


def variant_label(variant: Variant, lang: str) -> str:
    name = variant.product.localised("name", lang)
    option = variant.localised("name", lang)
    return f"{name} ({option})" if option else name


def merged(lines: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(variant id, units) summed per variant, in variant id order: the order rows are locked in."""
    totals: dict[int, int] = {}
    for variant_id, quantity in lines:
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_UNITS:
            raise BadQuantity()
        totals[variant_id] = totals.get(variant_id, 0) + quantity
    if any(total > MAX_UNITS for total in totals.values()):
        raise BadQuantity()
    return sorted(totals.items())


def variants_by_sku(centre_id: int, skus: Iterable[str]) -> dict[str, Variant]:
    """The centre's variants by SKU (upper case); UnknownSku for any that is not the centre's."""
    wanted = {sku.strip().upper() for sku in skus if sku and sku.strip()}
    found = {v.sku.upper(): v for v in db.session.scalars(
        select(Variant).join(Variant.product).where(func.upper(Variant.sku).in_(wanted), Product.centre_id == centre_id))}
    for sku in sorted(wanted):
        if sku not in found:
            raise UnknownSku(sku)
    return found


def check_variants(centre_id: int, variant_ids: Iterable[int]) -> dict[int, Variant]:
    """The variants, all of this centre; UnknownSku naming the first that is not."""
    ids = set(variant_ids)
    found = {v.id: v for v in db.session.scalars(
        select(Variant).join(Variant.product).where(Variant.id.in_(ids), Product.centre_id == centre_id))}
    for variant_id in sorted(ids - set(found)):
        raise UnknownSku(str(variant_id))
    return found


def _place(actor: User, location_id: int | None, centre_id: int) -> Location | None:
    if location_id is HOME:
        return None
    location = location_of(actor, location_id)
    if location.centre_id != centre_id:
        raise UnknownLocation()
    if not location.active:
        raise LocationClosed()
    return location


def move_stock(actor: User, centre_id: int | None, from_location_id: int | None, to_location_id: int | None,
               lines: list[tuple[int, int]], note: str) -> None:
    """Move units of the centre's variants between two of its places (None: the home shelf), all or
    nothing, in one transaction; a transfer row for each side says who, when, what and why."""
    centre_id = actor.centre_id if centre_id is None else centre_id
    require_centre(actor, centre_id)
    assert centre_id is not None
    if from_location_id == to_location_id:
        raise SamePlace()
    note = (note or "").strip()
    if not note or len(note) > 500:
        raise ReasonRequired()
    if not lines:
        raise NothingToMove()
    plan = merged(lines)
    begin_write()
    try:
        source, target = _place(actor, from_location_id, centre_id), _place(actor, to_location_id, centre_id)
        check_variants(centre_id, (variant_id for variant_id, _ in plan))
        why = f"transfer: {_place_name(source)} -> {_place_name(target)}: {note}"
        home_changes: list[tuple[int, int, int]] = []  # (variant, change on hand, change reserved)
        for variant_id, quantity in plan:
            # Within a variant the home shelf first, then locations by id: the lock order everywhere.
            steps = sorted([(from_location_id, -quantity), (to_location_id, quantity)],
                           key=lambda step: (step[0] is not HOME, step[0] or 0))
            for location_id, delta in steps:
                if location_id is HOME:
                    _change_home(variant_id, delta, "transfer", actor.id, why)
                    home_changes.append((variant_id, delta, 0))
                elif delta < 0:
                    take(location_id, variant_id, -delta, "transfer", actor.id, why)
                else:
                    put(location_id, variant_id, delta, "transfer", actor.id, why)
        # The home shelf's counts changed: their pages (and the lists if one crossed zero) move at commit.
        note_stock_change(db.session, home_changes)
        audit.record(actor, "locations.transfer", None, centre_id=centre_id,
                     after={"from": from_location_id, "to": to_location_id, "lines": plan, "note": note})
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise


def _place_name(location: Location | None) -> str:
    return "home shelf" if location is None else f"location {location.id} {location.name_th}"


def reconcile_count(actor: User, location_id: int, counts: list[tuple[int, int]], reason: str) -> list[tuple[int, int]]:
    """Set a location's stock to what was counted there; each difference is a 'count' movement with
    the reason. Returns (variant id, difference) for the variants that changed. One transaction."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ReasonRequired()
    if not counts:
        raise NothingToMove()
    wanted: dict[int, int] = {}
    for variant_id, counted in counts:
        if not isinstance(counted, int) or not 0 <= counted <= MAX_UNITS:
            raise BadQuantity()
        wanted[variant_id] = counted
    begin_write()
    try:
        location = location_of(actor, location_id)
        require_staff_of(actor, location)
        check_variants(location.centre_id, wanted)
        changed = []
        for variant_id, counted in sorted(wanted.items()):
            current = db.session.scalar(select(LocationStock.on_hand).where(
                LocationStock.location_id == location.id, LocationStock.variant_id == variant_id).with_for_update())
            difference = counted - (current or 0)
            if difference > 0:
                put(location.id, variant_id, difference, "count", actor.id, f"count: {reason}")
            elif difference < 0:
                take(location.id, variant_id, -difference, "count", actor.id, f"count: {reason}")
            if difference:
                changed.append((variant_id, difference))
        audit.record(actor, "locations.count", location, after={"changes": changed, "reason": reason})
        db.session.commit()
        return changed
    except DomainError:
        db.session.rollback()
        raise


@dataclass
class StockRow:
    variant: Variant
    on_hand: int


def stock_at(actor: User, location_id: int) -> tuple[Location, list[StockRow]]:
    """A location's stock, variant by variant (only what is or was there)."""
    location = location_of(actor, location_id)
    rows = db.session.execute(select(Variant, LocationStock.on_hand).join(LocationStock, LocationStock.variant_id == Variant.id)
                              .where(LocationStock.location_id == location.id).order_by(Variant.sku)).all()
    return location, [StockRow(variant, on_hand) for variant, on_hand in rows]


def units_at(location_id: int, variant_id: int) -> int:
    return db.session.scalar(select(LocationStock.on_hand).where(
        LocationStock.location_id == location_id, LocationStock.variant_id == variant_id)) or 0


def centre_variants(centre_id: int) -> list[Variant]:
    """The centre's variants, for transfer and count forms."""
    return list(db.session.scalars(select(Variant).join(Variant.product).where(Product.centre_id == centre_id)
                                   .order_by(Product.name_th, Variant.position, Variant.id)))


def movements_at(location_id: int, limit: int = 200) -> list[tuple[StockMovement, Variant]]:
    """The location's latest stock movements (the caller has checked the location is the actor's)."""
    return [(movement, variant) for movement, variant in db.session.execute(
        select(StockMovement, Variant).join(Variant, Variant.id == StockMovement.variant_id)
        .where(StockMovement.location_id == location_id).order_by(StockMovement.id.desc()).limit(limit))]


def units_by_location(location_ids: list[int]) -> dict[int, int]:
    """Units on hand at each of these locations (all variants together)."""
    if not location_ids:
        return {}
    rows = db.session.execute(select(LocationStock.location_id, func.sum(LocationStock.on_hand))
                              .where(LocationStock.location_id.in_(location_ids)).group_by(LocationStock.location_id))
    return {location_id: int(units or 0) for location_id, units in rows}
