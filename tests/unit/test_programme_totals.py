"""Programme totals: the ledger, its rollup, and figures that always reconcile."""
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import (
    BoothSale,
    ConsignmentReport,
    LocationStock,
    OfflineSale,
    Order,
    OrderLine,
    RefundLine,
    SalesEntry,
    StockMovement,
    User,
    Variant,
    WorkshopAttendance,
    WorkshopSession,
)
from shop.services.errors import NotYourCentre
from shop.services.locations import booth, consignment, places, stock
from shop.services.ordering import lifecycle
from shop.services.payments import refunds as payment_refunds
from shop.services.sales import offline, reports
from shop.services.workshops import attendance, impact
from tests.conftest import examples
from tests.factories import cart_with, make_centre, make_product, place

TODAY = date(2026, 11, 25)


def admin_user():
    user = db.session.scalar(select(User).where(User.email == "admin@tla.example"))
    if user is None:
        user = User(email="admin@tla.example", name="admin", role="admin")
        user.set_password("x" * 12)
        db.session.add(user)
        db.session.commit()
    return user


def staff_of(centre):
    user = User(email=f"{centre.slug}@staff.example", name="s", role="staff", centre_id=centre.id)
    user.set_password("x" * 12)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def network(app):
    surat = make_centre("surat-thani", province_code="84", province_en="Surat Thani", region="south")
    yala = make_centre("yala", province_code="95", province_en="Yala", region="south")
    lampang = make_centre("lampang", province_code="52", province_en="Lampang", region="north")
    products = {c.slug: make_product(c, slug=f"p-{c.slug}", prices=(45000, 12000), stock=(50, 50)) for c in (surat, yala, lampang)}
    return {"centres": [surat, yala, lampang], "products": products, "seats": _workshops((surat, yala, lampang))}


def _workshops(centres) -> dict[str, int]:
    """A workshop per centre with one session of 50 seats at ฿350.50: its variant's id per centre."""
    from datetime import time

    from shop.services.thai import to_bangkok
    from shop.services.workshops import sessions

    day = (to_bangkok(datetime.now(UTC)) + timedelta(days=10)).date()
    seats = {}
    for centre in centres:
        workshop = make_product(centre, slug=f"w-{centre.slug}", prices=(1,), stock=0, kind="workshop")
        seats[centre.slug] = sessions.add_session(admin_user(), workshop.id, day, time(9, 0), time(12, 0), "ห้องสมุด",
                                                  "Library", 50, 35050).variant_id
    return seats


def everything(actor=None):
    return reports.parse_query(actor or admin_user(), "2019-01-01", "2027-06-30", None, TODAY)


def pay(order):
    return lifecycle.record_payment(order.id, method="promptpay_transfer", reference=f"T-{order.number}", amount_satang=order.total_satang)


def test_a_paid_order_counts_for_each_centre_with_shipping_apart(network):
    surat, yala, lampang = network["centres"]
    p = network["products"]
    order = place(cart_with((p["surat-thani"].variants[0].id, 2), (p["lampang"].variants[1].id, 1)))
    pay(order)
    query = everything()
    by_centre = {r.key: r for r in reports.breakdown(query, "centre")}
    assert by_centre["surat-thani"].revenue_satang == 90000 and by_centre["surat-thani"].units == 2
    assert by_centre["lampang"].revenue_satang == 12000
    assert reports.totals(query).revenue_satang == 102000
    assert reports.totals(query).shipping_satang == order.shipping_satang
    by_region = {r.key: r.revenue_satang for r in reports.breakdown(query, "region")}
    assert by_region == {"south": 90000, "north": 12000}
    assert reports.online_orders(query) == 1


def test_unpaid_cancelled_and_expired_orders_never_count(network):
    p = network["products"]
    place(cart_with((p["yala"].variants[0].id, 1)))  # unpaid
    cancelled = place(cart_with((p["yala"].variants[0].id, 1)))
    lifecycle.cancel(cancelled.id, "cancelled by the customer")
    place(cart_with((p["yala"].variants[0].id, 1)))
    lifecycle.expire_overdue_orders(datetime.now(UTC) + timedelta(days=3))
    assert reports.totals(everything()).revenue_satang == 0
    assert db.session.scalar(select(func.count(SalesEntry.id))) == 0


def test_a_refund_counts_against_its_centre_on_the_day_refunded(network):
    p = network["products"]
    order = place(cart_with((p["surat-thani"].variants[0].id, 2), (p["yala"].variants[1].id, 1)))
    pay(order)
    order = db.session.get(Order, order.id)
    line = next(ln for ln in order.lines if ln.unit_price_satang == 45000)
    payment_refunds.refund(admin_user(), order.id, {line.id: 1}, [], restock=False)
    by_centre = {r.key: r.revenue_satang for r in reports.breakdown(everything(), "centre")}
    assert by_centre == {"surat-thani": 45000, "yala": 12000}
    assert reports.totals(everything()).units == 2


def test_offline_sales_count_by_channel_and_their_items_leave_stock(network):
    surat = network["centres"][0]
    staff = staff_of(surat)
    sku = network["products"]["surat-thani"].variants[0].sku
    offline.record_offline_sale(staff, surat.id, date(2026, 3, 30), "fair", 350000, [(sku, 3)], "Tourism festival")
    by_channel = {r.key: r.revenue_satang for r in reports.breakdown(everything(), "channel")}
    assert by_channel == {"fair": 350000}
    db.session.rollback()
    assert db.session.scalar(select(Variant.stock_on_hand).where(Variant.sku == sku)) == 47
    with pytest.raises(NotYourCentre):
        offline.record_offline_sale(staff, network["centres"][1].id, date(2026, 3, 30), "fair", 100, [])


def test_baselines_import_all_or_nothing_and_complete_the_totals(network):
    admin = admin_user()
    errors = offline.import_baselines(admin, [
        {"centre": "surat-thani", "year": "2021", "amount_baht": "250000"},
        {"centre": "atlantis", "year": "2021", "amount_baht": "1"},
        {"centre": "yala", "year": "21", "amount_baht": "1"},
    ])
    assert len(errors) == 2 and reports.totals(everything()).revenue_satang == 0
    assert offline.import_baselines(admin, [
        {"centre": "surat-thani", "year": "2021", "amount_baht": "250000"},
        {"centre": "yala", "year": "2022", "amount_baht": "1,000.50"},
    ]) == []
    by_year = {r.key: r.revenue_satang for r in reports.breakdown(everything(), "year")}
    assert by_year == {"2021": 25_000_000, "2022": 100_050}
    assert "มียอดฐานของปี 2022 อยู่แล้ว" in str(offline.import_baselines(admin, [{"centre": "yala", "year": "2022", "amount_baht": "5"}])[0].message)


def test_staff_see_only_their_centre_and_bad_ranges_are_refused(network):
    surat, yala, _ = network["centres"]
    staff = staff_of(surat)
    assert reports.parse_query(staff, None, None, None, TODAY).centre_ids == (surat.id,)
    with pytest.raises(NotYourCentre):
        reports.parse_query(staff, None, None, "yala", TODAY)
    for start, end in [("2026-05-01", "2026-01-01"), ("nonsense", None), ("1900-01-01", None), (None, "2999-01-01")]:
        with pytest.raises(reports.BadRange):
            reports.parse_query(admin_user(), start, end, None, TODAY)
    with pytest.raises(reports.UnknownCentre):
        reports.parse_query(admin_user(), None, None, "atlantis", TODAY)


def test_the_year_before_comparison(network):
    surat = network["centres"][0]
    admin = admin_user()
    offline.record_offline_sale(admin, surat.id, date(2025, 4, 1), "department_store", 100000, [])
    offline.record_offline_sale(admin, surat.id, date(2026, 4, 1), "department_store", 150000, [])
    query = reports.parse_query(admin, "2026-01-01", "2026-12-31", None, TODAY)
    assert reports.totals(query).revenue_satang == 150000
    assert reports.totals(reports.year_before(query)).revenue_satang == 100000


# --- Property: every way of adding up gives the same satang --------------------------------

operation = st.one_of(
    st.tuples(st.just("order"), st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(1, 3)), min_size=1, max_size=3),
              st.sampled_from(["pay", "unpaid", "cancel", "expire", "pay_refund"])),
    st.tuples(st.just("offline"), st.integers(0, 2), st.sampled_from(["fair", "department_store", "workshop"]), st.integers(1, 500_000)),
    st.tuples(st.just("baseline"), st.integers(0, 2), st.integers(2020, 2023), st.integers(1, 10_000_000)),
    st.tuples(st.just("booth"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 4), st.sampled_from(["cash", "promptpay"])),
    st.tuples(st.just("consignment"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 4), st.integers(0, 10000)),
    st.tuples(st.just("workshop"), st.integers(0, 2), st.integers(1, 3),
              st.sampled_from(["pay", "pay_attend", "pay_refund", "unpaid", "cancel"]), st.booleans()),
)


def independent_total() -> int:
    """From the source tables, not the ledger: paid lines − refund lines + offline + booth sales +
    stores' consignment reports at retail price + baselines."""
    paid = db.session.scalar(select(func.coalesce(func.sum(OrderLine.line_total_satang), 0)).join(Order).where(Order.status == "paid")) or 0
    refunded = db.session.scalar(select(func.coalesce(func.sum(RefundLine.amount_satang), 0))) or 0
    offline = db.session.scalar(select(func.coalesce(func.sum(OfflineSale.amount_satang), 0))) or 0
    baseline = db.session.scalar(select(func.coalesce(func.sum(SalesEntry.amount_satang), 0)).where(SalesEntry.kind == "baseline")) or 0
    booth_sales = db.session.scalar(select(func.coalesce(func.sum(BoothSale.total_satang), 0))) or 0
    consigned = db.session.scalar(select(func.coalesce(func.sum(ConsignmentReport.gross_satang), 0))) or 0
    return int(paid) - int(refunded) + int(offline) + int(booth_sales) + int(consigned) + int(baseline)


def _location(made: dict, centre, kind: str, commission_bp: int = 0):
    """The centre's fair booth or store counter for this example, made on first use."""
    key = (centre.id, kind)
    if key not in made:
        made[key] = places.create_location(admin_user(), centre.id, places.LocationDetails(
            kind=kind, name_th=f"{kind} {centre.slug}", commission_bp=commission_bp)).id
    return made[key]


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=6))
@example(operations=[("order", [(0, 0, 2)], "pay"), ("booth", 0, 0, 3, "cash"), ("booth", 0, 0, 2, "promptpay"),
                     ("consignment", 0, 1, 3, 2500), ("consignment", 1, 0, 1, 3333)])
def test_figures_always_reconcile(network, operations):
    from shop.extensions import begin_write
    from shop.models import SalesDaily

    centres, products = network["centres"], network["products"]
    admin = admin_user()
    used_baselines = set()
    made_locations: dict = {}
    attended = 0
    for n, op in enumerate(operations):
        if op[0] == "order":
            items = [(products[centres[c].slug].variants[v].id, q) for c, v, q in op[1]]
            order = place(cart_with(*items))
            if op[2] in {"pay", "pay_refund"}:
                pay(order)
                if op[2] == "pay_refund":
                    order = db.session.get(Order, order.id)
                    first = order.lines[0]
                    payment_refunds.refund(admin, order.id, {first.id: 1}, [order.shipments[0].id], restock=True)
            elif op[2] == "cancel":
                lifecycle.cancel(order.id, "cancelled by the customer")
            elif op[2] == "expire":
                lifecycle.expire(order.id, "test")
        elif op[0] == "workshop":  # seats booked online, with goods from the same centre or not
            _, c, seats, outcome, with_goods = op
            items = [(network["seats"][centres[c].slug], seats)]
            if with_goods:
                items.append((products[centres[c].slug].variants[1].id, 1))
            order = place(cart_with(*items))
            if outcome == "cancel":
                lifecycle.cancel(order.id, "cancelled by the customer")
            elif outcome != "unpaid":
                pay(order)
                seat_line = next(line for line in db.session.get(Order, order.id).lines if line.no_parcel)
                if outcome == "pay_attend":
                    assert attendance.mark_attended(admin, _session_of(seat_line.variant_id), seat_line.id)
                    attended += seats
                elif outcome == "pay_refund":
                    payment_refunds.refund(admin, order.id, {seat_line.id: 1}, [], restock=True)
        elif op[0] == "offline":
            offline.record_offline_sale(admin, centres[op[1]].id, date(2026, 6, 1), op[2], op[3], [])
        elif op[0] == "booth":
            _, c, v, units, method = op
            fair = _location(made_locations, centres[c], "fair")
            variant_id = products[centres[c].slug].variants[v].id
            stock.move_stock(admin, centres[c].id, None, fair, [(variant_id, units)], "to the fair")
            booth.record_booth_sale(admin, fair, [(variant_id, units)], method, f"property-sale-{n:04d}-0123456789",
                                    at=datetime(2026, 6, 2, 5, tzinfo=UTC))
        elif op[0] == "consignment":
            _, c, v, units, rate = op
            store = _location(made_locations, centres[c], "consignment", rate)
            variant_id = products[centres[c].slug].variants[v].id
            stock.move_stock(admin, centres[c].id, None, store, [(variant_id, units + 1)], "to the store")
            day = date(2026, 7, 1) + timedelta(days=n)
            consignment.record_consignment_report(admin, store, day, day, [(variant_id, units)])
        elif (op[1], op[2]) not in used_baselines:
            used_baselines.add((op[1], op[2]))
            assert offline.import_baselines(admin, [{"centre": centres[op[1]].slug, "year": str(op[2]), "amount_baht": str(op[3])}]) == []
    query = everything(admin)
    total = reports.totals(query).revenue_satang
    for group in ("region", "province", "centre", "channel", "maker", "month", "year"):
        assert sum(r.revenue_satang for r in reports.breakdown(query, group)) == total, group
    figures = impact.figures()
    assert figures.income_satang == total and figures.people_trained == attended
    ledger = db.session.scalar(select(func.coalesce(func.sum(SalesEntry.amount_satang), 0)).where(
        SalesEntry.kind.in_(["sale", "refund", "offline", "baseline"])))
    assert ledger == total == independent_total()
    shipping = db.session.scalar(select(func.coalesce(func.sum(SalesEntry.amount_satang), 0)).where(
        SalesEntry.kind.in_(["shipping", "shipping_refund"])))
    assert shipping == reports.totals(query).shipping_satang
    # the stores' commissions are a cost beside the revenue, to the satang of their reports
    commissions = db.session.scalar(select(func.coalesce(func.sum(SalesEntry.amount_satang), 0)).where(
        SalesEntry.kind == "store_commission"))
    assert -commissions == (db.session.scalar(select(func.coalesce(func.sum(ConsignmentReport.commission_satang), 0))) or 0)
    # stock: the home shelf and every location equal the sums of their movements
    for variant in db.session.scalars(select(Variant)):
        assert variant.stock_on_hand == db.session.scalar(select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0)).where(
            StockMovement.variant_id == variant.id, StockMovement.location_id.is_(None)))
    for row in db.session.scalars(select(LocationStock)):
        assert row.on_hand == db.session.scalar(select(func.sum(StockMovement.on_hand_delta)).where(
            StockMovement.variant_id == row.variant_id, StockMovement.location_id == row.location_id))
    # start the next example from nothing
    begin_write()
    for model in (SalesEntry, SalesDaily, RefundLine, WorkshopAttendance):
        db.session.query(model).delete()
    db.session.commit()
    from tests.conftest import _empty_tables
    db.session.remove()
    _empty_tables()
    network.update(_rebuild(network))


def _rebuild(network):
    surat = make_centre("surat-thani", province_code="84", region="south")
    yala = make_centre("yala", province_code="95", region="south")
    lampang = make_centre("lampang", province_code="52", region="north")
    products = {c.slug: make_product(c, slug=f"p-{c.slug}", prices=(45000, 12000), stock=(50, 50)) for c in (surat, yala, lampang)}
    return {"centres": [surat, yala, lampang], "products": products, "seats": _workshops((surat, yala, lampang))}


def _session_of(variant_id: int) -> int:
    return db.session.scalar(select(WorkshopSession.id).where(WorkshopSession.variant_id == variant_id))
