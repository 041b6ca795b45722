"""Sales outside the shop: offline sales that staff record for their centre, and the baselines
(a centre's sales in a year before the shop) that admins import. Each is one transaction that
writes the sale, its ledger entry (and rollup) and its audit entry together."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.extensions import begin_write, db
from shop.i18n import current_language
from shop.models import OFFLINE_CHANNELS, Centre, OfflineSale, Product, SalesEntry, User, Variant
from shop.services import money
from shop.services.catalog.admin import CsvRowError
from shop.services.catalog.centres import UnknownCentre
from shop.services.errors import DomainError, NotYourCentre
from shop.services.ordering import inventory
from shop.services.parsing import parse_int
from shop.services.people import audit
from shop.services.sales import ledger

MAX_ITEM_QUANTITY = 100_000  # units of one SKU that the back-office form accepts in one sale


class UnknownSku(DomainError):
    def __init__(self, sku: str) -> None:
        super().__init__(_l("Unknown SKU for this centre: %(sku)s", sku=sku), sku=sku)


def record_offline_sale(actor: User, centre_id: int | None, day: date, channel: str, amount_satang: int,
                        items: list[tuple[str, int]], note: str = "") -> OfflineSale:
    """A sale outside the shop; listed items (SKU, units) leave the centre's stock. One transaction.

    centre_id None is the actor's own centre (staff never name another)."""
    if centre_id is None:
        centre_id = actor.centre_id
    if channel not in OFFLINE_CHANNELS:
        raise DomainError()
    money.check_amount(amount_satang, money.AMOUNT)  # BadAmount / AmountTooLarge
    if not actor.is_admin and (actor.role != "staff" or centre_id is None or actor.centre_id != centre_id):
        raise NotYourCentre()
    begin_write()
    if centre_id is None or db.session.get(Centre, centre_id) is None:
        raise UnknownCentre()
    sale = OfflineSale(centre_id=centre_id, day=day, channel=channel, amount_satang=amount_satang,
                       note=note[:1000], recorded_by_id=actor.id)
    db.session.add(sale)
    db.session.flush()
    units = 0
    for sku, quantity in items:  # SKUs of this centre only
        variant = db.session.scalar(select(Variant).join(Variant.product).where(Variant.sku == sku,
                                                                             Product.centre_id == centre_id))
        if variant is None or quantity <= 0:
            db.session.rollback()
            raise UnknownSku(sku)
        inventory.change_on_hand(variant.id, -quantity, "adjust", user_id=actor.id,
                                 note=f"sold_offline: {channel} sale {sale.id}")  # raises OutOfStock
        units += quantity
    ledger.record_offline(sale, units)
    audit.record(actor, "sales.offline", sale, after={"day": day, "channel": channel, "amount_satang": amount_satang,
                                                      "items": items})
    db.session.commit()
    return sale


def offline_sales(actor: User, limit: int = 100) -> list[OfflineSale]:
    """The latest offline sales the actor may see: their centre's, or all for an admin."""
    stmt = select(OfflineSale).order_by(OfflineSale.day.desc(), OfflineSale.id.desc()).limit(limit)
    if not actor.is_admin:
        stmt = stmt.where(OfflineSale.centre_id == actor.centre_id)
    return list(db.session.scalars(stmt))


def import_baselines(actor: User, rows: list[dict[str, str]]) -> list[CsvRowError]:
    """Rows of centre (slug), year, amount_baht; all or none. Returns the errors per line."""
    if not actor.is_admin:
        raise NotYourCentre()
    begin_write()
    centres = {c.slug: c for c in db.session.scalars(select(Centre))}
    errors, plan, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        slug, year, amount = (row.get("centre") or "").strip(), (row.get("year") or "").strip(), (row.get("amount_baht") or "").strip()
        if slug not in centres:
            errors.append(CsvRowError(line, _l("There is no centre %(centre)s.", centre=repr(slug[:40]))))
            continue
        year_number = parse_int(year, 2000, 2100)
        if year_number is None:
            errors.append(CsvRowError(line, _l("The year must be a Gregorian year like 2021, not %(value)s.", value=repr(year[:10]))))
            continue
        try:
            satang = money.parse_amount(amount, money.AMOUNT, allow_zero=True)
        except money.AmountTooLarge as error:
            errors.append(CsvRowError(line, str(error.message)))
            continue
        except money.BadAmount:
            errors.append(CsvRowError(line, _l("The amount in baht must be like 125000.50, not %(value)s.", value=repr(amount[:20]))))
            continue
        if (slug, year) in seen:
            errors.append(CsvRowError(line, _l("%(centre)s, %(year)s is listed twice.", centre=centres[slug].localised("name", current_language()), year=year)))
            continue
        exists = db.session.scalar(select(SalesEntry.id).where(SalesEntry.kind == "baseline", SalesEntry.centre_id == centres[slug].id,
                                                               SalesEntry.day == date(year_number, 12, 31)))
        if exists:
            errors.append(CsvRowError(line, _l("%(centre)s already has a baseline for %(year)s.",
                                                 centre=centres[slug].localised("name", current_language()), year=year)))
            continue
        seen.add((slug, year))
        plan.append((centres[slug], year_number, satang))
    if errors or not plan:
        db.session.rollback()
        return errors or [CsvRowError(1, _l("The file has no rows."))]
    for centre, baseline_year, satang in plan:
        ledger.record_baseline(centre, baseline_year, satang)
        audit.record(actor, "sales.baseline", centre, centre_id=centre.id, after={"year": baseline_year, "amount_satang": satang})
    db.session.commit()
    return []
