"""Many buyers race for the last units: never more sold than there is, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, StockMovement, Variant
from shop.services.errors import CartHasProblems, OutOfStock
from tests.factories import cart_with, make_product
from tests.races import buyers, race

BUYERS = 24
STOCK = 3


@pytest.mark.parametrize("units_each", [1, 2])
def test_buyers_racing_for_the_last_scarves_never_oversell(app, units_each):
    scarf = make_product(slug="last-scarf", prices=(45000,), stock=STOCK)
    variant_id = scarf.variants[0].id
    carts = [cart_with((variant_id, units_each)).id for _ in range(BUYERS)]

    # (OutOfStock, CartHasProblems): the two polite refusals
    outcomes, errors = race(app, buyers(carts, "bought"), (OutOfStock, CartHasProblems))
    assert not errors, errors[:3]
    variant = db.session.get(Variant, variant_id)
    orders = db.session.scalar(select(func.count(Order.id)))
    assert outcomes.count("bought") == orders == STOCK // units_each
    assert outcomes.count("refused") == BUYERS - orders
    assert variant.stock_reserved == orders * units_each <= variant.stock_on_hand == STOCK
    reserved_in_ledger = db.session.scalar(
        select(func.sum(StockMovement.reserved_delta)).where(StockMovement.variant_id == variant_id)
    )
    assert reserved_in_ledger == variant.stock_reserved
