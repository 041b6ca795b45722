"""Writing the sales ledger and its daily rollup, inside the caller's transaction.

Every figure the association sees is a sum of these rows: paid online lines on the day paid,
refunds (negative) on the day refunded, offline sales, and the baselines of the years before
the shop. Shipping fees are their own kinds, reported apart from product revenue.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.extensions import db
from shop.models import Centre, Order, Product, SalesDaily, SalesEntry
from shop.services.thai import to_bangkok


def bangkok_day(moment: datetime) -> date:
    return to_bangkok(moment).date()


def _bump(day: date, centre_id: int, channel: str, revenue: int = 0, shipping: int = 0, units: int = 0, orders: int = 0) -> None:
    """Add to the day's rollup row (made if missing), atomically on both databases."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, SalesDaily.__table__)
    stmt = insert(table).values(day=day, centre_id=centre_id, channel=channel, revenue_satang=revenue,
                                shipping_satang=shipping, units=units, orders=orders)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "centre_id", "channel"],
        set_={
            "revenue_satang": table.c.revenue_satang + stmt.excluded.revenue_satang,
            "shipping_satang": table.c.shipping_satang + stmt.excluded.shipping_satang,
            "units": table.c.units + stmt.excluded.units,
            "orders": table.c.orders + stmt.excluded.orders,
        },
    )
    db.session.execute(stmt)


def _categories(product_ids: set[int]) -> dict[int, int]:
    if not product_ids:
        return {}
    rows = db.session.execute(select(Product.id, Product.category_id).where(Product.id.in_(product_ids)))
    return {product_id: category_id for product_id, category_id in rows}


def record_order_paid(order: Order, paid_at: datetime) -> None:
    day = bangkok_day(paid_at)
    categories = _categories({line.product_id for line in order.lines})
    per_centre: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line in order.lines:
        db.session.add(SalesEntry(day=day, kind="sale", channel="online_shop", centre_id=line.centre_id,
                                  province_code=line.province_code, region=line.region,
                                  category_id=categories.get(line.product_id), product_id=line.product_id,
                                  order_id=order.id, order_line_id=line.id, amount_satang=line.line_total_satang,
                                  units=line.quantity))
        per_centre[line.centre_id][0] += line.line_total_satang
        per_centre[line.centre_id][1] += line.quantity
    for shipment in order.shipments:
        revenue, units = per_centre.get(shipment.centre_id, [0, 0])
        first = next(ln for ln in order.lines if ln.centre_id == shipment.centre_id)
        if shipment.shipping_fee_satang:
            db.session.add(SalesEntry(day=day, kind="shipping", channel="online_shop", centre_id=shipment.centre_id,
                                      province_code=first.province_code, region=first.region, order_id=order.id,
                                      amount_satang=shipment.shipping_fee_satang, units=0))
        _bump(day, shipment.centre_id, "online_shop", revenue=revenue, shipping=shipment.shipping_fee_satang,
              units=units, orders=1)


def record_refund(refund, order: Order, shipment_ids: list[int], refunded_at: datetime) -> None:
    day = bangkok_day(refunded_at)
    lines = {line.id: line for line in order.lines}
    categories = _categories({line.product_id for line in order.lines})
    per_centre: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in refund.lines:
        line = lines[item.order_line_id]
        db.session.add(SalesEntry(day=day, kind="refund", channel="online_shop", centre_id=item.centre_id,
                                  province_code=line.province_code, region=line.region,
                                  category_id=categories.get(line.product_id), product_id=line.product_id,
                                  order_id=order.id, order_line_id=line.id, refund_id=refund.id,
                                  amount_satang=-item.amount_satang, units=-item.quantity))
        per_centre[item.centre_id][0] -= item.amount_satang
        per_centre[item.centre_id][1] -= item.quantity
    for shipment in order.shipments:
        if shipment.id in shipment_ids and shipment.shipping_fee_satang:
            first = next(ln for ln in order.lines if ln.centre_id == shipment.centre_id)
            db.session.add(SalesEntry(day=day, kind="shipping_refund", channel="online_shop", centre_id=shipment.centre_id,
                                      province_code=first.province_code, region=first.region, order_id=order.id,
                                      refund_id=refund.id, amount_satang=-shipment.shipping_fee_satang))
            per_centre[shipment.centre_id][2] -= shipment.shipping_fee_satang
    for centre_id, (revenue, units, shipping) in per_centre.items():
        _bump(day, centre_id, "online_shop", revenue=revenue, shipping=shipping, units=units)


def record_offline(sale, units: int = 0) -> None:
    centre = db.session.get_one(Centre, sale.centre_id)
    db.session.add(SalesEntry(day=sale.day, kind="offline", channel=sale.channel, centre_id=centre.id,
                              province_code=centre.province_code, region=centre.region, offline_sale_id=sale.id,
                              amount_satang=sale.amount_satang, units=units))
    _bump(sale.day, centre.id, sale.channel, revenue=sale.amount_satang, units=units)


def record_baseline(centre: Centre, year: int, amount_satang: int) -> None:
    day = date(year, 12, 31)
    db.session.add(SalesEntry(day=day, kind="baseline", channel="before_shop", centre_id=centre.id,
                              province_code=centre.province_code, region=centre.region, amount_satang=amount_satang))
    _bump(day, centre.id, "before_shop", revenue=amount_satang)


def record_location_sale(centre_id: int, location_id: int, channel: str, day: date, lines, *, booth_sale_id: int | None = None,
                         consignment_report_id: int | None = None, store_commission_satang: int = 0) -> None:
    """A booth sale or a store's consignment report: one offline entry per line (product, units) at
    retail price, tagged with the location; a store's commission as its own negative entry, a cost
    kept apart from revenue (and from the rollup, which sums revenue)."""
    centre = db.session.get_one(Centre, centre_id)
    categories = _categories({line.product_id for line in lines})
    revenue = units = 0
    for line in lines:
        db.session.add(SalesEntry(day=day, kind="offline", channel=channel, centre_id=centre.id,
                                  province_code=centre.province_code, region=centre.region,
                                  category_id=categories.get(line.product_id), product_id=line.product_id,
                                  location_id=location_id, booth_sale_id=booth_sale_id,
                                  consignment_report_id=consignment_report_id, amount_satang=line.line_total_satang,
                                  units=line.quantity))
        revenue += line.line_total_satang
        units += line.quantity
    if store_commission_satang:
        db.session.add(SalesEntry(day=day, kind="store_commission", channel=channel, centre_id=centre.id,
                                  province_code=centre.province_code, region=centre.region, location_id=location_id,
                                  consignment_report_id=consignment_report_id, amount_satang=-store_commission_satang,
                                  units=0))
    _bump(day, centre.id, channel, revenue=revenue, units=units)
