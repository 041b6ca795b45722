"""Buyers race for the last seat of a workshop session: one gets it, the others are refused."""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, StockMovement, User, Variant
from shop.services.errors import CartHasProblems, OutOfStock
from shop.services.thai import to_bangkok
from shop.services.workshops import sessions
from tests.factories import cart_with, make_centre, make_product
from tests.races import buyers, race

BUYERS = 12


def test_buyers_racing_for_the_last_seat_never_overbook(app):
    centre = make_centre("surat-thani")
    workshop = make_product(centre, slug="leaf-workshop", prices=(1,), stock=0, kind="workshop")
    staff = User(email="s@surat.example", name="s", role="staff", centre_id=centre.id)
    staff.set_password("x" * 12)
    db.session.add(staff)
    db.session.commit()
    day = (to_bangkok(datetime.now(UTC)) + timedelta(days=3)).date()
    session = sessions.add_session(staff, workshop.id, day, time(13, 0), time(15, 0), "ห้องสมุด", "Library", 1, 30000)
    variant_id = session.variant_id
    carts = [cart_with((variant_id, 1)).id for _ in range(BUYERS)]

    outcomes, errors = race(app, buyers(carts, "booked"), (OutOfStock, CartHasProblems))
    assert not errors, errors[:3]
    assert outcomes.count("booked") == 1 == db.session.scalar(select(func.count(Order.id)))
    assert outcomes.count("refused") == BUYERS - 1
    variant = db.session.get(Variant, variant_id)
    assert (variant.stock_on_hand, variant.stock_reserved) == (1, 1)
    held = db.session.scalar(select(func.sum(StockMovement.reserved_delta)).where(StockMovement.variant_id == variant_id))
    assert held == 1
