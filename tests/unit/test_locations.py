"""Stock at a centre's locations: transfers, booth sales, day summaries, consignment reports and counts."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import (
    AuditEntry,
    BoothSale,
    Location,
    LocationStock,
    SalesDaily,
    SalesEntry,
    StockMovement,
    User,
    Variant,
)
from shop.services.errors import NotYourCentre
from shop.services.locations import booth, consignment, places, stock
from shop.services.sales import offline, reports
from tests.factories import make_centre, make_product

NOW = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok, the tourism fair's second day
FAIR_DAY = date(2026, 3, 29)


def make_user(email, role, centre=None):
    user = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None)
    user.set_password("x" * 12)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def world(app):
    surat = make_centre("surat-thani", province_code="84", region="south")
    yala = make_centre("yala", province_code="95", region="south")
    scarf = make_product(surat, slug="leaf-scarf", name_en="Leaf-print scarf", prices=(39000, 45000), stock=(20, 5))
    balm = make_product(surat, slug="herbal-balm", name_en="Herbal balm", prices=(8000,), stock=10)
    batik = make_product(yala, slug="batik", prices=(50000,), stock=10)
    staff = make_user("surat@staff.example", "staff", surat)
    yala_staff = make_user("yala@staff.example", "staff", yala)
    admin = make_user("admin@tla.example", "admin")
    fair = places.create_location(staff, None, places.LocationDetails(
        kind="fair", name_th="งานเที่ยวเมืองไทย 2569", name_en="Thailand Tourism Festival", place="QSNCC",
        starts_on=date(2026, 3, 28), ends_on=date(2026, 4, 1)))
    store = places.create_location(staff, None, places.LocationDetails(
        kind="consignment", name_th="เคาน์เตอร์ห้างสรรพสินค้า", name_en="Department store counter", commission_bp=2500))
    return {"surat": surat, "yala": yala, "scarf": scarf.variants[0], "scarf_big": scarf.variants[1],
            "balm": balm.variants[0], "batik": batik.variants[0], "staff": staff, "yala_staff": yala_staff,
            "admin": admin, "fair": fair, "store": store}


def at(location, variant) -> int:
    return stock.units_at(location.id, variant.id)


def home(variant) -> int:
    db.session.expire_all()
    return db.session.get(Variant, variant.id).stock_on_hand


def ledger_matches_stock() -> None:
    """The movements sum to the stock of every place: the home shelf and each location."""
    db.session.expire_all()
    for variant in db.session.scalars(select(Variant)):
        home_sum = db.session.scalar(select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0)).where(
            StockMovement.variant_id == variant.id, StockMovement.location_id.is_(None)))
        assert home_sum == variant.stock_on_hand, variant.sku
    for row in db.session.scalars(select(LocationStock)):
        moved = db.session.scalar(select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0)).where(
            StockMovement.variant_id == row.variant_id, StockMovement.location_id == row.location_id))
        assert moved == row.on_hand, (row.location_id, row.variant_id)


def test_moving_scarves_to_a_fair_booth_leaves_a_transfer_in_the_ledger(world):
    staff, fair, scarf = world["staff"], world["fair"], world["scarf"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 10)], "for the tourism fair")
    assert at(fair, scarf) == 10 and home(scarf) == 10
    moves = db.session.scalars(select(StockMovement).where(StockMovement.reason == "transfer")).all()
    assert sorted((m.location_id or 0, m.on_hand_delta) for m in moves) == [(0, -10), (fair.id, 10)]
    assert all(m.user_id == staff.id and "for the tourism fair" in m.note for m in moves)
    stock.move_stock(staff, None, fair.id, None, [(scarf.id, 4)], "back from the fair")
    assert at(fair, scarf) == 6 and home(scarf) == 14
    ledger_matches_stock()


def test_a_transfer_never_takes_what_is_held_for_web_orders_or_more_than_a_booth_has(world):
    staff, fair, scarf_big = world["staff"], world["fair"], world["scarf_big"]
    db.session.get(Variant, scarf_big.id).stock_reserved = 3  # held for online orders
    db.session.commit()
    with pytest.raises(stock.NotEnoughStock) as refused:
        stock.move_stock(staff, None, None, fair.id, [(scarf_big.id, 3)], "fair")
    assert "2" in str(refused.value.message)  # five on the shelf, three held: two can go
    with pytest.raises(stock.NotEnoughStock):
        stock.move_stock(staff, None, fair.id, None, [(scarf_big.id, 1)], "back")
    assert home(scarf_big) == 5 and at(fair, scarf_big) == 0
    ledger_matches_stock()


def test_staff_cannot_move_stock_to_another_centres_location_or_move_its_goods(world):
    yala_staff, fair, batik, scarf = world["yala_staff"], world["fair"], world["batik"], world["scarf"]
    with pytest.raises(places.UnknownLocation):
        stock.move_stock(yala_staff, None, None, fair.id, [(batik.id, 1)], "not mine")
    with pytest.raises(NotYourCentre):
        stock.move_stock(yala_staff, world["surat"].id, None, fair.id, [(scarf.id, 1)], "not mine")
    with pytest.raises(offline.UnknownSku):
        stock.move_stock(world["staff"], None, None, fair.id, [(batik.id, 1)], "another centre's batik")
    assert at(fair, batik) == 0 and home(batik) == 10


@pytest.mark.parametrize("lines, note, error", [
    ([], "why", stock.NothingToMove),
    ([(0, 0)], "why", stock.BadQuantity),
    ([(0, 100_001)], "why", stock.BadQuantity),
    ([(0, 1)], "  ", stock.ReasonRequired),
])
def test_bad_transfers_are_refused_with_a_message_and_change_nothing(world, lines, note, error):
    lines = [(world["scarf"].id, q) for _, q in lines]
    with pytest.raises(error) as refused:
        stock.move_stock(world["staff"], None, None, world["fair"].id, lines, note)
    assert str(refused.value.message)
    assert db.session.scalar(select(func.count(StockMovement.id)).where(StockMovement.reason == "transfer")) == 0
    with pytest.raises(stock.SamePlace):
        stock.move_stock(world["staff"], None, world["fair"].id, world["fair"].id, [(world["scarf"].id, 1)], "x")


def test_a_booth_sale_takes_stock_enters_the_ledger_and_counts_in_the_centres_totals(world):
    staff, fair, scarf, balm = world["staff"], world["fair"], world["scarf"], world["balm"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 10), (balm.id, 5)], "fair")
    sale, new = booth.record_booth_sale(staff, fair.id, [(scarf.id, 2), (balm.id, 1)], "cash", "k" * 20, at=NOW)
    assert new and sale.total_satang == 2 * 39000 + 8000 and sale.units == 3 and sale.day == FAIR_DAY
    assert sale.receipt_number == "BR2569-000001"
    assert at(fair, scarf) == 8 and at(fair, balm) == 4 and home(scarf) == 10
    entries = db.session.scalars(select(SalesEntry).where(SalesEntry.booth_sale_id == sale.id)).all()
    assert {(e.kind, e.channel, e.location_id, e.amount_satang) for e in entries} == {
        ("offline", "fair", fair.id, 78000), ("offline", "fair", fair.id, 8000)}
    query = reports.parse_query(world["admin"], "2026-01-01", "2026-12-31", None, date(2026, 11, 25))
    assert reports.totals(query).revenue_satang == 86000
    assert {r.key: r.revenue_satang for r in reports.breakdown(query, "channel")} == {"fair": 86000}
    assert {r.key: r.revenue_satang for r in reports.breakdown(query, "product")} == {"leaf-scarf": 78000, "herbal-balm": 8000}
    assert db.session.scalar(select(SalesDaily.units).where(SalesDaily.channel == "fair")) == 3
    ledger_matches_stock()


def test_a_booth_never_sells_more_than_it_has(world):
    staff, fair, scarf = world["staff"], world["fair"], world["scarf"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 2)], "fair")
    with pytest.raises(stock.NotEnoughStock) as refused:
        booth.record_booth_sale(staff, fair.id, [(scarf.id, 3)], "cash", "a" * 20, at=NOW)
    assert "2" in str(refused.value.message)
    assert db.session.scalar(select(func.count(BoothSale.id))) == 0 and at(fair, scarf) == 2
    assert db.session.scalar(select(func.count(SalesEntry.id))) == 0


def test_a_sale_submitted_twice_is_recorded_once(world):
    staff, fair, scarf = world["staff"], world["fair"], world["scarf"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 5)], "fair")
    first, new_first = booth.record_booth_sale(staff, fair.id, [(scarf.id, 1)], "promptpay", "same-key-123456789", at=NOW)
    again, new_again = booth.record_booth_sale(staff, fair.id, [(scarf.id, 1)], "promptpay", "same-key-123456789", at=NOW)
    assert new_first and not new_again and again.id == first.id
    assert at(fair, scarf) == 4 and db.session.scalar(select(func.count(BoothSale.id))) == 1
    with pytest.raises(booth.BadSaleKey):  # another centre cannot reach a sale through its key
        booth.record_booth_sale(world["yala_staff"], fair.id, [(scarf.id, 1)], "cash", "same-key-123456789", at=NOW)


def test_booth_sales_refuse_bad_input_and_other_centres(world):
    staff, fair, scarf = world["staff"], world["fair"], world["scarf"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 5)], "fair")
    for lines, method, key, error in [
        ([], "cash", "k" * 20, booth.EmptySale),
        ([(scarf.id, 1)], "card", "k" * 20, booth.BadPaymentMethod),
        ([(scarf.id, 1)], "cash", "short", booth.BadSaleKey),
        ([(scarf.id, -1)], "cash", "k" * 20, stock.BadQuantity),
        ([(world["batik"].id, 1)], "cash", "k" * 20, offline.UnknownSku),
    ]:
        with pytest.raises(error) as refused:
            booth.record_booth_sale(staff, fair.id, lines, method, key, at=NOW)
        assert str(refused.value.message)
    with pytest.raises(places.UnknownLocation):
        booth.record_booth_sale(world["yala_staff"], fair.id, [(scarf.id, 1)], "cash", "y" * 20, at=NOW)
    stock.move_stock(staff, None, None, world["store"].id, [(scarf.id, 1)], "store")
    with pytest.raises(booth.NotABooth):  # a store's counter sends its report instead
        booth.record_booth_sale(staff, world["store"].id, [(scarf.id, 1)], "cash", "s" * 20, at=NOW)
    places.update_location(staff, fair.id, places.LocationDetails(kind="fair", name_th=fair.name_th, active=False))
    with pytest.raises(places.LocationClosed):
        booth.record_booth_sale(staff, fair.id, [(scarf.id, 1)], "cash", "z" * 20, at=NOW)
    assert db.session.scalar(select(func.count(BoothSale.id))) == 0 and at(fair, scarf) == 5


def test_a_quote_shows_the_promptpay_qr_for_the_exact_amount_and_records_nothing(world, app):
    staff, fair, scarf = world["staff"], world["fair"], world["scarf"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 5)], "fair")
    with app.test_request_context("/"):
        quote = booth.quote_sale(staff, fair.id, [(scarf.id, 2)], "promptpay")
    assert quote.total_satang == 78000 and quote.promptpay_qr.startswith("data:image/svg+xml")
    assert "5406780.00" in quote.promptpay_payload and quote.promptpay_payload.startswith("000201010212")
    assert db.session.scalar(select(func.count(BoothSale.id))) == 0 and at(fair, scarf) == 5


def test_the_day_summary_gives_cash_expected_promptpay_units_and_top_products(world):
    staff, fair, scarf, balm = world["staff"], world["fair"], world["scarf"], world["balm"]
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, 10), (balm.id, 5)], "fair")
    booth.record_booth_sale(staff, fair.id, [(scarf.id, 2)], "cash", "a" * 20, at=NOW)
    booth.record_booth_sale(staff, fair.id, [(scarf.id, 1), (balm.id, 2)], "promptpay", "b" * 20, at=NOW)
    booth.record_booth_sale(staff, fair.id, [(balm.id, 1)], "cash", "c" * 20, at=datetime(2026, 3, 30, 3, tzinfo=UTC))
    summary = booth.day_summary(staff, fair.id, FAIR_DAY)
    assert summary.cash_satang == 78000 and summary.promptpay_satang == 39000 + 16000
    assert summary.units == 5 and len(summary.sales) == 2
    assert [(units, satang) for _, _, units, satang in summary.top_products] == [(3, 117000), (2, 16000)]
    assert booth.close_day(staff, fair.id, FAIR_DAY, 77000) == -1000
    closed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "locations.day_closed"))
    assert '"difference_satang": -1000' in closed.after
    with pytest.raises(places.UnknownLocation):
        booth.day_summary(world["yala_staff"], fair.id, FAIR_DAY)


def test_a_consignment_report_takes_stock_and_books_the_stores_commission_as_a_cost(world):
    staff, store, scarf, balm = world["staff"], world["store"], world["scarf"], world["balm"]
    stock.move_stock(staff, None, None, store.id, [(scarf.id, 6), (balm.id, 4)], "to the store")
    report = consignment.record_consignment_report(staff, store.id, date(2026, 4, 1), date(2026, 4, 30),
                                                   [(scarf.id, 3), (balm.id, 1)])
    gross = 3 * 39000 + 8000
    assert report.gross_satang == gross and report.commission_satang == gross // 4 + (1 if gross % 4 >= 2 else 0)
    assert report.owed_satang == gross - report.commission_satang
    assert at(store, scarf) == 3 and at(store, balm) == 3
    entries = db.session.scalars(select(SalesEntry).where(SalesEntry.consignment_report_id == report.id)).all()
    assert sum(e.amount_satang for e in entries if e.kind == "offline") == gross
    assert [e.amount_satang for e in entries if e.kind == "store_commission"] == [-report.commission_satang]
    assert all(e.channel == "department_store" and e.location_id == store.id and e.day == date(2026, 4, 30) for e in entries)
    query = reports.parse_query(world["admin"], "2026-01-01", "2026-12-31", None, date(2026, 11, 25))
    assert reports.totals(query).revenue_satang == gross  # the centre's totals at retail price
    centre_rows = {r.key: r.revenue_satang for r in reports.breakdown(query, "centre")}
    assert centre_rows == {"surat-thani": gross}
    with pytest.raises(consignment.ReportAlreadyRecorded):
        consignment.record_consignment_report(staff, store.id, date(2026, 4, 1), date(2026, 4, 30), [(scarf.id, 1)])
    with pytest.raises(stock.NotEnoughStock):
        consignment.record_consignment_report(staff, store.id, date(2026, 5, 1), date(2026, 5, 31), [(scarf.id, 4)])
    with pytest.raises(consignment.NotConsignment):
        consignment.record_consignment_report(staff, world["fair"].id, date(2026, 5, 1), date(2026, 5, 31), [(scarf.id, 1)])
    with pytest.raises(consignment.BadPeriod):
        consignment.record_consignment_report(staff, store.id, date(2026, 5, 31), date(2026, 5, 1), [(scarf.id, 1)])
    with pytest.raises(places.UnknownLocation):
        consignment.record_consignment_report(world["yala_staff"], store.id, date(2026, 5, 1), date(2026, 5, 31), [(scarf.id, 1)])
    assert at(store, scarf) == 3
    ledger_matches_stock()


def test_a_count_at_the_store_becomes_an_adjustment_with_its_reason(world):
    staff, store, scarf, balm = world["staff"], world["store"], world["scarf"], world["balm"]
    stock.move_stock(staff, None, None, store.id, [(scarf.id, 6)], "to the store")
    changed = stock.reconcile_count(staff, store.id, [(scarf.id, 5), (balm.id, 2)], "monthly count with the store")
    assert sorted(changed) == sorted([(scarf.id, -1), (balm.id, 2)])
    assert at(store, scarf) == 5 and at(store, balm) == 2
    counts = db.session.scalars(select(StockMovement).where(StockMovement.reason == "count")).all()
    assert all("monthly count with the store" in m.note and m.location_id == store.id for m in counts)
    with pytest.raises(stock.ReasonRequired):
        stock.reconcile_count(staff, store.id, [(scarf.id, 1)], "")
    with pytest.raises(places.UnknownLocation):
        stock.reconcile_count(world["yala_staff"], store.id, [(scarf.id, 1)], "not mine")
    assert at(store, scarf) == 5
    ledger_matches_stock()


def test_locations_are_checked_and_scoped_to_the_centre(world):
    staff, yala_staff = world["staff"], world["yala_staff"]
    with pytest.raises(places.BadLocation):
        places.create_location(staff, None, places.LocationDetails(kind="fair", name_th=" "))
    with pytest.raises(places.BadLocation):
        places.create_location(staff, None, places.LocationDetails(kind="consignment", name_th="x", commission_bp=10001))
    with pytest.raises(places.BadLocation):
        places.create_location(staff, None, places.LocationDetails(kind="fair", name_th="x", starts_on=date(2026, 4, 2),
                                                                    ends_on=date(2026, 4, 1)))
    with pytest.raises(NotYourCentre):
        places.create_location(yala_staff, world["surat"].id, places.LocationDetails(kind="fair", name_th="x"))
    assert {loc.id for loc in places.locations(staff)} == {world["fair"].id, world["store"].id}
    assert places.locations(yala_staff) == []
    assert len(places.locations(world["admin"])) == 2
    assert db.session.scalar(select(func.count(Location.id))) == 2


def test_a_transfer_moves_the_versions_of_the_pages_that_show_the_home_shelf(world):
    """The storefront shows the home shelf: moving units to a booth moves the product's and its
    centre's page versions (the cached pages drop); the lists only when the shelf empties."""
    from shop import caching

    def versions():
        state = caching.read_state("leaf-scarf", "surat-thani")
        return state.lists, state.product_version, state.centre_version

    staff, fair, big = world["staff"], world["fair"], world["scarf_big"]
    lists, product, centre = versions()
    stock.move_stock(staff, None, None, fair.id, [(big.id, 2)], "for the fair")  # 5 -> 3 on the shelf
    assert versions() == (lists, product + 1, centre + 1)
    stock.move_stock(staff, None, None, fair.id, [(big.id, 3)], "all to the fair")  # the shelf is empty
    assert versions() == (lists + 1, product + 2, centre + 2)
