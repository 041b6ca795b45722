"""Programme totals: revenue by region, province, centre, channel, category, product and time.

Totals, regions, provinces, centres, channels and months are read from the daily rollup (kept
in the same transaction as every sale, refund, offline sale and baseline); categories and
products from the ledger itself. Every figure is integer satang and traces back to ledger rows.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select

from shop.extensions import begin_write, db
from shop.models import (
    OFFLINE_CHANNELS,
    Category,
    Centre,
    OfflineSale,
    Product,
    SalesDaily,
    SalesEntry,
    User,
    Variant,
)
from shop.services import money
from shop.services.catalog.admin import CsvRowError
from shop.services.errors import DomainError, NotYourCentre
from shop.services.ordering import inventory
from shop.services.parsing import parse_int
from shop.services.people import audit
from shop.services.sales import ledger

GROUPS = ("region", "province", "centre", "channel", "category", "product", "month", "year")
PROGRAMME_START = date(2020, 1, 1)  # พ.ศ. 2563; the first day when none is given
# The date range a report may cover (the API's OpenAPI document states the same):
EARLIEST_DAY = date(2000, 1, 1)  # baselines reach back before the shop
DAYS_AHEAD = 366  # the last day may be up to a year after today
MAX_DAYS = 366 * 30  # at most this many days from the first to the last
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # YYYY-MM-DD only, ASCII digits


class BadRange(DomainError):
    message = _l("Please choose a date range: the start no later than the end, from 1 January 2000 to a year from today.")


class UnknownCentre(DomainError):
    message = _l("We do not know that centre.")


@dataclass(frozen=True)
class Query:
    start: date
    end: date
    centre_ids: tuple[int, ...] | None  # None: the whole programme


@dataclass
class Row:
    key: str
    label: str
    revenue_satang: int
    units: int
    shipping_satang: int = 0
    orders: int = 0


def parse_query(actor: User, start: str | None, end: str | None, centre: str | None, today: date) -> Query:
    """Checked report parameters; staff are held to their own centre whatever they ask."""
    first, last = _day(start, PROGRAMME_START), _day(end, today)
    if first > last or first < EARLIEST_DAY or last > today + timedelta(days=DAYS_AHEAD) or (last - first).days > MAX_DAYS:
        raise BadRange()
    centre_ids: tuple[int, ...] | None = None
    if centre:
        if len(centre) > 64:  # longer than any slug
            raise UnknownCentre()
        found = db.session.scalar(select(Centre.id).where(Centre.slug == centre))
        if found is None:
            raise UnknownCentre()
        centre_ids = (found,)
    if not actor.is_admin:
        if actor.role != "staff" or actor.centre_id is None:
            raise NotYourCentre()
        if centre_ids is not None and centre_ids != (actor.centre_id,):
            raise NotYourCentre()
        centre_ids = (actor.centre_id,)
    return Query(first, last, centre_ids)


def _day(text: str | None, default: date) -> date:
    """A day given as YYYY-MM-DD (Python would also take 20260101 or 2026-W01-1), or the default."""
    if not text:
        return default
    if not ISO_DAY.fullmatch(text):
        raise BadRange()
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        raise BadRange() from None


def _daily(query: Query):
    stmt = select(SalesDaily).where(SalesDaily.day >= query.start, SalesDaily.day <= query.end)
    if query.centre_ids is not None:
        stmt = stmt.where(SalesDaily.centre_id.in_(query.centre_ids))
    return stmt


def totals(query: Query) -> Row:
    d = SalesDaily
    stmt = select(func.coalesce(func.sum(d.revenue_satang), 0), func.coalesce(func.sum(d.units), 0),
                  func.coalesce(func.sum(d.shipping_satang), 0), func.coalesce(func.sum(d.orders), 0)).where(
        d.day >= query.start, d.day <= query.end)
    if query.centre_ids is not None:
        stmt = stmt.where(d.centre_id.in_(query.centre_ids))
    revenue, units, shipping, orders = db.session.execute(stmt).one()
    return Row("total", "", int(revenue), int(units), int(shipping), int(orders))


def breakdown(query: Query, group: str, lang: str = "th") -> list[Row]:
    if group not in GROUPS:
        raise DomainError()
    if group in {"category", "product"}:
        return _from_ledger(query, group, lang)
    d, c = SalesDaily, Centre
    sums = (func.sum(d.revenue_satang), func.sum(d.units), func.sum(d.shipping_satang), func.sum(d.orders))
    if group in {"region", "province", "centre"}:
        # Sum the rollup per centre first (a handful of rows), then label and regroup them.
        per_centre = select(d.centre_id, *(s.label(n) for s, n in zip(sums, ("r", "u", "s", "o"), strict=False)))
        per_centre = per_centre.where(d.day >= query.start, d.day <= query.end).group_by(d.centre_id)
        if query.centre_ids is not None:
            per_centre = per_centre.where(d.centre_id.in_(query.centre_ids))
        sub = per_centre.subquery()
        keys: tuple[Any, ...] = {"region": (c.region,), "province": (c.province_code, c.province_th, c.province_en),
                "centre": (c.slug, c.name_th, c.name_en)}[group]
        stmt = (select(*keys, func.sum(sub.c.r), func.sum(sub.c.u), func.sum(sub.c.s), func.sum(sub.c.o))
                .join(sub, sub.c.centre_id == c.id).group_by(*keys).order_by(*keys))
    else:
        keys = {"channel": (d.channel,), "month": (extract("year", d.day), extract("month", d.day)),
                "year": (extract("year", d.day),)}[group]
        stmt = select(*keys, *sums).where(d.day >= query.start, d.day <= query.end).group_by(*keys).order_by(*keys)
        if query.centre_ids is not None:
            stmt = stmt.where(d.centre_id.in_(query.centre_ids))
    rows = []
    for record in db.session.execute(stmt):
        values = list(record)
        revenue, units, shipping, orders = (int(v or 0) for v in values[-4:])
        key_values = values[:-4]
        if group == "province":
            key, label = key_values[0], key_values[2] if lang == "en" else key_values[1]
        elif group == "centre":
            key, label = key_values[0], (key_values[2] or key_values[1]) if lang == "en" else key_values[1]
        elif group == "month":
            key = label = f"{int(key_values[0]):04d}-{int(key_values[1]):02d}"
        elif group == "year":
            key = label = f"{int(key_values[0]):04d}"
        else:
            key = label = str(key_values[0])
        rows.append(Row(key, label, revenue, units, shipping, orders))
    return rows


def _from_ledger(query: Query, group: str, lang: str) -> list[Row]:
    e = SalesEntry
    if group == "category":
        label_cols = (Category.slug, Category.name_th, Category.name_en)
        stmt = select(*label_cols, func.sum(e.amount_satang), func.sum(e.units)).join(Category, Category.id == e.category_id)
    else:
        label_cols = (Product.slug, Product.name_th, Product.name_en)
        stmt = select(*label_cols, func.sum(e.amount_satang), func.sum(e.units)).join(Product, Product.id == e.product_id)
    stmt = stmt.where(e.day >= query.start, e.day <= query.end, e.kind.in_(["sale", "refund"])).group_by(*label_cols)
    if query.centre_ids is not None:
        stmt = stmt.where(e.centre_id.in_(query.centre_ids))
    rows = [Row(slug, (name_en or name_th) if lang == "en" else name_th, int(total or 0), int(units or 0))
            for slug, name_th, name_en, total, units in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: -r.revenue_satang)


def year_before(query: Query) -> Query:
    def shift(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    return Query(shift(query.start), shift(query.end), query.centre_ids)


def online_orders(query: Query) -> int:
    """Paid online orders (an order from two centres counts once here)."""
    stmt = select(func.count(func.distinct(SalesEntry.order_id))).where(
        SalesEntry.kind == "sale", SalesEntry.day >= query.start, SalesEntry.day <= query.end)
    if query.centre_ids is not None:
        stmt = stmt.where(SalesEntry.centre_id.in_(query.centre_ids))
    return int(db.session.scalar(stmt) or 0)


def to_csv(rows: list[Row], group: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([group, "label", "revenue_baht", "revenue_satang", "units", "shipping_satang", "orders"])
    for row in rows:
        writer.writerow([row.key, row.label, f"{row.revenue_satang / 100:.2f}", row.revenue_satang, row.units,
                         row.shipping_satang, row.orders])
    return "\ufeff" + out.getvalue()


# --- Offline sales and baselines --------------------------------------------------------------

def record_offline_sale(actor: User, centre_id: int, day: date, channel: str, amount_satang: int,
                        items: list[tuple[str, int]], note: str = "") -> OfflineSale:
    """A sale outside the shop; listed items leave the centre's stock. One transaction."""
    if channel not in OFFLINE_CHANNELS:
        raise DomainError()
    money.check_amount(amount_satang, money.AMOUNT)  # BadAmount / AmountTooLarge
    if not actor.is_admin and (actor.role != "staff" or actor.centre_id != centre_id):
        raise NotYourCentre()
    begin_write()
    if db.session.get(Centre, centre_id) is None:
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
            raise DomainError(_l("Unknown SKU for this centre: %(sku)s", sku=sku))
        inventory.change_on_hand(variant.id, -quantity, "adjust", user_id=actor.id,
                                 note=f"sold_offline: {channel} sale {sale.id}")  # raises OutOfStock
        units += quantity
    ledger.record_offline(sale, units)
    audit.record(actor, "sales.offline", sale, after={"day": day, "channel": channel, "amount_satang": amount_satang,
                                                      "items": items})
    db.session.commit()
    return sale


def offline_sales(actor: User, limit: int = 100) -> list[OfflineSale]:
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
            errors.append(CsvRowError(line, f"unknown centre {slug[:40]!r}"))
            continue
        year_number = parse_int(year, 2000, 2100)
        if year_number is None:
            errors.append(CsvRowError(line, f"year must be like 2021 (Gregorian), not {year[:10]!r}"))
            continue
        try:
            satang = money.parse_amount(amount, money.AMOUNT, allow_zero=True)
        except money.AmountTooLarge as error:
            errors.append(CsvRowError(line, str(error.message)))
            continue
        except money.BadAmount:
            errors.append(CsvRowError(line, f"amount_baht must be an amount like 125000.50, not {amount[:20]!r}"))
            continue
        if (slug, year) in seen:
            errors.append(CsvRowError(line, f"{slug} {year} is listed twice"))
            continue
        exists = db.session.scalar(select(SalesEntry.id).where(SalesEntry.kind == "baseline", SalesEntry.centre_id == centres[slug].id,
                                                               SalesEntry.day == date(year_number, 12, 31)))
        if exists:
            errors.append(CsvRowError(line, f"{slug} already has a baseline for {year}"))
            continue
        seen.add((slug, year))
        plan.append((centres[slug], year_number, satang))
    if errors or not plan:
        db.session.rollback()
        return errors or [CsvRowError(1, "the file has no rows")]
    for centre, baseline_year, satang in plan:
        ledger.record_baseline(centre, baseline_year, satang)
        audit.record(actor, "sales.baseline", centre, centre_id=centre.id, after={"year": baseline_year, "amount_satang": satang})
    db.session.commit()
    return []


# --- API tokens -------------------------------------------------------------------------------

def create_token(actor: User, name: str) -> str:
    import hashlib
    import secrets

    from shop.models import ApiToken

    if not actor.is_admin:
        raise NotYourCentre()
    token = "rl_" + secrets.token_urlsafe(32)
    begin_write()
    db.session.add(ApiToken(user_id=actor.id, name=name[:100] or "token", token_hash=hashlib.sha256(token.encode()).hexdigest()))
    audit.record(actor, "api.token", None, after={"name": name[:100]})
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    import hashlib

    from shop.models import ApiToken

    if not token or len(token) > 200:
        return None
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest(),
                                                     ApiToken.revoked.is_(False)))
    if found is None or not found.user.is_enabled or not found.user.is_admin:
        return None
    return found.user
