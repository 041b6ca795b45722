"""Placing an order reads first and locks last: a refusal writes nothing and waits for no lock,
and the guarded UPDATE that holds the stock also checks the prices the order was built with."""
import pytest
import sqlalchemy as sa

from shop.extensions import db
from shop.models import Order, Product, Variant
from shop.services.errors import CartHasProblems, OutOfStock, PriceChanged
from shop.services.ordering import inventory
from tests.factories import cart_with, make_product, place


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "SELECT ... FOR UPDATE"))
            or "FOR UPDATE" in s.upper()]


def test_a_sold_out_buyer_is_refused_without_a_write_or_a_lock(app, count_queries):
    product = make_product(stock=1)
    winner, loser = cart_with((product.variants[0].id, 1)), cart_with((product.variants[0].id, 1))
    fingerprint = __import__("shop.services.ordering.cart", fromlist=["summarise"]).summarise(loser).fingerprint()
    place(winner)
    with count_queries() as statements, pytest.raises(CartHasProblems):
        place(loser, fingerprint=fingerprint)
    assert writes(statements) == [], statements
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1


def test_the_guarded_update_refuses_a_price_that_changed_since_the_order_was_built(app):
    product = make_product(prices=(45000,), stock=5)
    variant_id = product.variants[0].id
    with pytest.raises(PriceChanged):
        inventory.reserve([(variant_id, 1)], order_id=None, prices={variant_id: 40000})
    db.session.rollback()
    assert db.session.get(Variant, variant_id).stock_reserved == 0


def test_the_guarded_update_refuses_a_product_taken_off_sale_meanwhile(app):
    product = make_product(prices=(45000,), stock=5)
    variant_id = product.variants[0].id
    db.session.get(Product, product.id).status = "archived"
    db.session.commit()
    with pytest.raises(PriceChanged):
        inventory.reserve([(variant_id, 1)], order_id=None, prices={variant_id: 45000})
    db.session.rollback()


def test_at_the_right_price_with_too_little_stock_it_is_out_of_stock(app):
    product = make_product(prices=(45000,), stock=1)
    variant_id = product.variants[0].id
    with pytest.raises(OutOfStock):
        inventory.reserve([(variant_id, 2)], order_id=None, prices={variant_id: 45000})
    db.session.rollback()


def test_a_retry_that_finds_its_cart_emptied_by_the_first_try_gets_that_order(app, monkeypatch):
    from shop.services.ordering import checkout
    from shop.services.ordering.cart import summarise

    product = make_product(stock=5)
    cart = cart_with((product.variants[0].id, 1))
    fingerprint = summarise(cart).fingerprint()
    first = place(cart, key="a" * 32)
    db.session.commit()
    # The retry looked for its order just before the first try committed: it finds the cart
    # emptied, and then the order.
    looked, first_look, later_look = [], checkout.placed_or_short, checkout.order_by_key

    def too_early(key, cart_id):
        looked.append(key)
        placed_id, short = first_look(key, cart_id)
        assert placed_id == first.id  # it is there; this look pretends it came a moment too early
        return None, short

    def then_real(key):
        looked.append(key)
        return later_look(key)

    monkeypatch.setattr(checkout, "placed_or_short", too_early)
    monkeypatch.setattr(checkout, "order_by_key", then_real)
    assert place(cart, key="a" * 32, fingerprint=fingerprint).id == first.id
    assert len(looked) == 2
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1


def test_the_cart_read_by_id_alone_is_the_cart_find_cart_gives(app):
    """find_cart_ref answers as find_cart does, read outside any transaction: a guest's cart by
    the session's id, a customer's own cart whatever the session holds, none for an id that is
    not a guest cart, and a cart left too long is deleted."""
    from datetime import timedelta

    from shop.models import Cart, User
    from shop.models._base import utcnow
    from shop.services.ordering.cart import CartRef, find_cart, find_cart_ref

    user = User(email="buyer@example.com", name="buyer", role="customer")
    user.set_password("x" * 12)
    db.session.add(user)
    db.session.flush()
    guest, own, old = Cart(), Cart(user_id=user.id), Cart()
    db.session.add_all([guest, own, old])
    db.session.flush()
    old.updated_at = utcnow() - timedelta(days=31)
    db.session.commit()

    assert find_cart_ref(guest.id, None, 30) == CartRef(guest.id) == CartRef(find_cart(guest.id, None, 30).id)
    assert find_cart_ref(guest.id, user.id, 30) == CartRef(own.id)  # the customer's own cart
    assert find_cart_ref(own.id, None, 30) is None  # a customer's cart is not a guest's
    assert find_cart_ref(None, None, 30) is None and find_cart_ref(10**9, None, 30) is None
    old_id = old.id
    assert find_cart_ref(old_id, None, 30) is None
    db.session.rollback()
    assert db.session.get(Cart, old_id) is None  # deleted, as find_cart does


def test_a_key_with_a_nul_finds_no_order(app):
    from shop.services.ordering import checkout

    order = place(cart_with((make_product(stock=3).variants[0].id, 1)))
    assert checkout.placed_or_short(order.idempotency_key, None) == (order.id, False)
    assert checkout.placed_or_short(order.idempotency_key + "\x00x", None) == (None, False)


def test_a_retry_finds_the_order_placed_after_its_session_began(app):
    """A double click: the first POST places the order while the second's session has already
    read (a signed-in visitor's user, say). The second gets that order, on both databases, though
    its pre-check reads outside the session and the session's snapshot is older than the order."""
    import threading

    from shop.services.ordering.cart import CartRef

    cart = cart_with((make_product(stock=3).variants[0].id, 1))
    cart_id, key = cart.id, "a" * 32
    fingerprint = __import__("shop.services.ordering.cart", fromlist=["summarise"]).summarise(cart).fingerprint()
    db.session.commit()
    db.session.scalar(sa.select(sa.func.count(Order.id)))  # this session's snapshot begins here
    placed: list = []

    def first_click() -> None:
        with app.app_context():
            try:
                placed.append(place(CartRef(cart_id), key=key, fingerprint=fingerprint).id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=first_click)
    thread.start()
    thread.join(timeout=30)
    assert len(placed) == 1
    assert place(CartRef(cart_id), key=key, fingerprint=fingerprint).id == placed[0]
