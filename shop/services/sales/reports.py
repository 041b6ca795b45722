"""Programme totals: revenue by region, province, centre, channel, category, product and time.

This module only reads; sales are written by the lifecycle's listeners (ledger.py) and by
offline.py (offline sales and baselines).

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

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select

from shop.extensions import db
from shop.i18n import channel_label, region_label
from shop.models import Category, Centre, MakerGroup, Product, SalesDaily, SalesEntry, User
from shop.services.catalog.centres import UnknownCentre
from shop.services.errors import DomainError, NotYourCentre
from shop.services.thai import format_month, format_year
from shop.text import sort_by_name

GROUPS = ("region", "province", "centre", "channel", "category", "product", "maker", "month", "year")
PROGRAMME_START = date(2020, 1, 1)  # พ.ศ. 2563; the first day when none is given
# The date range a report may cover (the API's OpenAPI document states the same):
EARLIEST_DAY = date(2000, 1, 1)  # baselines reach back before the shop
DAYS_AHEAD = 366  # the last day may be up to a year after today
MAX_DAYS = 366 * 30  # at most this many days from the first to the last
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # YYYY-MM-DD only, ASCII digits


class BadRange(DomainError):
    message = _l("Please choose a date range: the start no later than the end, from 1 January 2000 to a year from today.")


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
    if group == "maker":
        return _by_maker(query, lang)
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
            key, label = f"{int(key_values[0]):04d}-{int(key_values[1]):02d}", format_month(int(key_values[0]), int(key_values[1]), lang)
        elif group == "year":
            key, label = f"{int(key_values[0]):04d}", format_year(int(key_values[0]), lang)
        else:
            key = str(key_values[0])
            with force_locale(lang):
                label = region_label(key) if group == "region" else channel_label(key)
        rows.append(Row(key, label, revenue, units, shipping, orders))
    if group in {"province", "centre"}:
        return sort_by_name(rows, lambda row: row.label, lang)
    return _every_month(rows, query, lang) if group == "month" else rows


def _every_month(rows: list[Row], query: Query, lang: str) -> list[Row]:
    """Every month of the range, a month without sales as ฿0 (a chart shows it, not a gap)."""
    found = {row.key: row for row in rows}
    filled, year, month = [], query.start.year, query.start.month
    while (year, month) <= (query.end.year, query.end.month):
        key = f"{year:04d}-{month:02d}"
        row = found.pop(key, None)
        filled.append(row if row is not None else Row(key, format_month(year, month, lang), 0, 0))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return filled + list(found.values())  # (none: every row falls in the range)


def _from_ledger(query: Query, group: str, lang: str) -> list[Row]:
    e = SalesEntry
    if group == "category":
        label_cols = (Category.slug, Category.name_th, Category.name_en)
        stmt = select(*label_cols, func.sum(e.amount_satang), func.sum(e.units)).join(Category, Category.id == e.category_id)
    else:
        label_cols = (Product.slug, Product.name_th, Product.name_en)
        stmt = select(*label_cols, func.sum(e.amount_satang), func.sum(e.units)).join(Product, Product.id == e.product_id)
    # Online lines and refunds, and the booth and consignment sales that name their product
    # (an offline sale typed in as one amount has none, so the join leaves it out).
    stmt = stmt.where(e.day >= query.start, e.day <= query.end, e.kind.in_(["sale", "refund", "offline"])).group_by(*label_cols)
    if query.centre_ids is not None:
        stmt = stmt.where(e.centre_id.in_(query.centre_ids))
    rows = [Row(slug, (name_en or name_th) if lang == "en" else name_th, int(total or 0), int(units or 0))
            for slug, name_th, name_en, total, units in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: -r.revenue_satang)


def _by_maker(query: Query, lang: str) -> list[Row]:
    """Income per maker group: online sales less refunds of the products that name one; the
    rest (offline sales, baselines, products naming none) in one row, so the rows add up to the total."""
    e = SalesEntry
    cols = (MakerGroup.slug, MakerGroup.name_th, MakerGroup.name_en)
    stmt = (select(*cols, func.sum(e.amount_satang), func.sum(e.units))
            .select_from(e).outerjoin(Product, Product.id == e.product_id).outerjoin(MakerGroup, MakerGroup.id == Product.maker_group_id)
            .where(e.day >= query.start, e.day <= query.end, e.kind.in_(["sale", "refund", "offline", "baseline"]))
            .group_by(*cols))
    if query.centre_ids is not None:
        stmt = stmt.where(e.centre_id.in_(query.centre_ids))
    rows = []
    for slug, name_th, name_en, total, units in db.session.execute(stmt):
        if slug is None:
            rows.append(Row("-", str(_l("No maker group named")), int(total or 0), int(units or 0)))
        else:
            rows.append(Row(slug, (name_en or name_th) if lang == "en" else name_th, int(total or 0), int(units or 0)))
    return sorted(rows, key=lambda r: (r.key == "-", -r.revenue_satang))


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


GROUP_HEADINGS = {
    "region": _l("Region"), "province": _l("Province"), "centre": _l("Centre"), "channel": _l("Channel"),
    "category": _l("Category"), "product": _l("Product"), "maker": _l("Maker group"), "month": _l("Month"),
    "year": _l("Year"),
}
CSV_HEADINGS = (_l("Code"), _l("Revenue (baht)"), _l("Units"), _l("Shipping fees (baht)"), _l("Orders"))


def _baht(satang: int) -> str:
    """Baht with two decimals and no symbol, as a spreadsheet reads a number: 3500.00, -12.50."""
    sign = "-" if satang < 0 else ""
    return f"{sign}{abs(satang) // 100}.{abs(satang) % 100:02d}"


def to_csv(rows: list[Row], group: str, lang: str = "th") -> str:
    """The table as CSV for a person's spreadsheet: headings and names in `lang`, money in baht."""
    out = io.StringIO()
    writer = csv.writer(out)
    with force_locale(lang):
        code, revenue, units, shipping, orders = (str(h) for h in CSV_HEADINGS)
        writer.writerow([code, str(GROUP_HEADINGS[group]), revenue, units, shipping, orders])
    for row in rows:
        writer.writerow([row.key, row.label, _baht(row.revenue_satang), row.units, _baht(row.shipping_satang), row.orders])
    return "\ufeff" + out.getvalue()
