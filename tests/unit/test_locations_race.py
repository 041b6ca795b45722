"""Phones at a booth race: never more sold than the booth has, and a sale sent twice at once is recorded once."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import BoothSale, LocationStock, SalesEntry, StockMovement, User
from shop.services.locations import booth, places, stock
from tests.factories import make_centre, make_product
from tests.races import race

SELLERS = 12
AT_BOOTH = 3


@pytest.fixture
def booth_with_scarves(app):
    centre = make_centre("surat-thani")
    scarf = make_product(centre, slug="scarf", prices=(39000,), stock=10).variants[0]
    staff = User(email="s@staff.example", name="s", role="staff", centre_id=centre.id)
    staff.set_password("x" * 12)
    db.session.add(staff)
    db.session.commit()
    fair = places.create_location(staff, None, places.LocationDetails(kind="fair", name_th="งานแฟร์"))
    stock.move_stock(staff, None, None, fair.id, [(scarf.id, AT_BOOTH)], "fair")
    return staff.id, fair.id, scarf.id


def test_phones_racing_for_the_last_scarves_at_a_booth_never_oversell(app, booth_with_scarves):
    staff_id, fair_id, scarf_id = booth_with_scarves

    def sell(n):
        def job():
            staff = db.session.get(User, staff_id)
            booth.record_booth_sale(staff, fair_id, [(scarf_id, 1)], "cash", f"seller-{n:02d}-key-0123456789",
                                    at=datetime(2026, 3, 29, 5, tzinfo=UTC))
            return "sold"
        return job

    outcomes, errors = race(app, [sell(n) for n in range(SELLERS)], (stock.NotEnoughStock,))
    assert not errors, errors[:3]
    assert outcomes.count("sold") == AT_BOOTH and outcomes.count("refused") == SELLERS - AT_BOOTH
    assert db.session.scalar(select(LocationStock.on_hand).where(LocationStock.location_id == fair_id)) == 0
    assert db.session.scalar(select(func.count(BoothSale.id))) == AT_BOOTH
    moved = db.session.scalar(select(func.sum(StockMovement.on_hand_delta)).where(StockMovement.location_id == fair_id))
    assert moved == 0
    numbers = db.session.scalars(select(BoothSale.receipt_number).order_by(BoothSale.receipt_number)).all()
    assert numbers == [f"BR2569-{n:06d}" for n in range(1, AT_BOOTH + 1)]  # no gaps from the refused sales


def test_one_sale_sent_from_several_tabs_at_once_is_recorded_once(app, booth_with_scarves):
    staff_id, fair_id, scarf_id = booth_with_scarves

    def send():
        staff = db.session.get(User, staff_id)
        sale, new = booth.record_booth_sale(staff, fair_id, [(scarf_id, 2)], "promptpay", "the-same-key-0123456789",
                                            at=datetime(2026, 3, 29, 5, tzinfo=UTC))
        return (sale.id, new)

    outcomes, errors = race(app, [send for _ in range(6)], (stock.NotEnoughStock,))
    assert not errors, errors[:3]
    assert len({sale_id for sale_id, _ in outcomes}) == 1 and [new for _, new in outcomes].count(True) == 1
    assert db.session.scalar(select(func.count(BoothSale.id))) == 1
    assert db.session.scalar(select(LocationStock.on_hand).where(LocationStock.location_id == fair_id)) == 1
    assert db.session.scalar(select(func.sum(SalesEntry.units))) == 2


def test_transfers_racing_web_orders_for_the_same_scarves_never_deadlock_or_oversell(app):
    from shop.models import Variant
    from shop.services.errors import CartHasProblems, OutOfStock
    from tests.factories import cart_with, place

    centre = make_centre("surat-thani")
    product = make_product(centre, slug="scarf", prices=(39000, 45000), stock=(8, 8))
    first, second = (v.id for v in product.variants)
    staff = User(email="s@staff.example", name="s", role="staff", centre_id=centre.id)
    staff.set_password("x" * 12)
    db.session.add(staff)
    db.session.commit()
    staff_id = staff.id
    fair = places.create_location(staff, None, places.LocationDetails(kind="fair", name_th="งานแฟร์")).id
    carts = [cart_with((second, 1)).id if n % 2 else cart_with((first, 1), (second, 1)).id for n in range(6)]

    def transfer():
        booth_staff = db.session.get(User, staff_id)
        stock.move_stock(booth_staff, None, None, fair, [(second, 1), (first, 1)], "to the fair")
        return "moved"

    def buy(cart_id):
        def job():
            from shop.models import Cart

            try:
                place(db.session.get(Cart, cart_id))
            except (OutOfStock, CartHasProblems):
                return "refused"
            return "bought"
        return job

    outcomes, errors = race(app, [transfer] * 6 + [buy(c) for c in carts], (stock.NotEnoughStock,))
    assert not errors, errors[:3]
    db.session.expire_all()
    moved = outcomes.count("moved")
    for variant_id in (first, second):
        variant = db.session.get(Variant, variant_id)
        assert 0 <= variant.stock_reserved <= variant.stock_on_hand == 8 - moved
        assert db.session.scalar(select(func.sum(StockMovement.on_hand_delta)).where(
            StockMovement.variant_id == variant_id, StockMovement.location_id.is_(None))) == variant.stock_on_hand
        assert stock.units_at(fair, variant_id) == moved
