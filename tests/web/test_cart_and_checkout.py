"""Cart and checkout through HTTP: the happy path and every kind of bad input."""
import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import CartItem, Order, Product, Variant
from shop.services.notifications import outbox
from tests.factories import make_centre, make_product
from tests.web.helpers import ADDRESS, checkout, csrf_token, flashed, post_form


@pytest.fixture
def goods(app):
    surat = make_centre("surat", province_code="84", region="south")
    lampang = make_centre("lampang", province_code="52", province_en="Lampang", province_th="ลำปาง", region="north")
    cloth = make_product(surat, slug="cloth", prices=(125000, 65000), stock=(3, 5))
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=2)
    return {"cloth": cloth.variants[1].id, "cloth_big": cloth.variants[0].id, "rooster": rooster.variants[0].id}


def add(client, variant_id, quantity="1"):
    return post_form(client, "/cart/add", {"variant_id": str(variant_id), "quantity": str(quantity)})


def cart_rows():
    db.session.rollback()
    return db.session.execute(select(CartItem.variant_id, CartItem.quantity).order_by(CartItem.variant_id)).all()


def counts():
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(Order.id))),
        db.session.scalar(select(func.sum(Variant.stock_reserved))),
        cart_rows(),
    )


def test_a_guest_buys_from_two_centres_and_gets_one_order_with_two_shipments(client, goods):
    assert add(client, goods["cloth"], 2).status_code == 303
    assert add(client, goods["rooster"], 1).status_code == 303
    cart = client.get("/cart").get_data(as_text=True)
    assert cart.count('class="cart-group"') == 2
    assert "฿1,300" in cart and "฿250" in cart
    response, _ = checkout(client)
    assert response.status_code == 303
    order_page = client.get(response.headers["Location"])
    page = order_page.get_data(as_text=True)
    assert order_page.status_code == 200
    order = db.session.scalar(select(Order))
    assert order.number in page
    assert page.count('class="shipment"') == 2
    assert 'class="qr"' in page and "data:image/svg+xml" in page
    assert order.email == "buyer@example.com" and order.phone == "0812345678"
    assert order.total_satang == 130000 + 25000 + 0 + 5000  # Surat ships free from ฿1,000
    assert outbox[-1]["To"] == "buyer@example.com"
    assert client.get("/cart").get_data(as_text=True).count('class="cart-line') == 0


def test_a_replayed_place_order_post_makes_one_order(client, goods):
    add(client, goods["cloth"], 1)
    first, form = checkout(client)
    again = client.post("/checkout/place", data=form)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert counts()[0] == 1


def test_the_order_page_needs_the_signed_link_or_the_owner(client, goods, app):
    add(client, goods["cloth"], 1)
    response, _ = checkout(client)
    link = response.headers["Location"]
    number = re.search(r"/orders/([^?]+)", link).group(1)
    other = app.test_client()
    assert other.get(link).status_code == 200
    assert other.get(f"/orders/{number}").status_code == 404
    assert other.get(f"/orders/{number}?key=forged").status_code == 404
    assert other.get("/orders/RL-000000-0000?key=x").status_code == 404


@pytest.mark.parametrize("quantity", ["0", "-1", "100", "1000000", "abc", "1.5", "1e3", "", " "])
def test_bad_quantities_are_refused_and_change_nothing(client, goods, quantity):
    add(client, goods["cloth"], 1)
    before = cart_rows()
    response = add(client, goods["cloth"], quantity)
    assert response.status_code == 303
    assert "1 ถึง 99" in flashed(client.get(response.headers["Location"]))
    assert cart_rows() == before
    token = csrf_token(client)
    client.post("/cart/update", data={"csrf_token": token, "variant_id": goods["cloth"], "quantity": quantity})
    assert cart_rows() == before


def test_more_than_the_stock_is_refused_with_the_number_left(client, goods):
    response = add(client, goods["rooster"], 3)
    message = flashed(client.get(response.headers["Location"]))
    assert "2" in message
    assert cart_rows() == []


@pytest.mark.parametrize("variant_id", ["999999", "abc", "-1", "", "1; DROP TABLE variant"])
def test_unknown_variant_ids_are_refused(client, goods, variant_id):
    response = add(client, variant_id, 1)
    assert response.status_code == 303
    assert flashed(client.get("/cart"))
    assert cart_rows() == []


def test_a_variant_not_in_the_cart_cannot_be_updated_or_removed(client, goods):
    add(client, goods["cloth"], 1)
    token = csrf_token(client)
    client.post("/cart/update", data={"csrf_token": token, "variant_id": goods["rooster"], "quantity": "2"})
    client.post("/cart/update", data={"csrf_token": token, "variant_id": goods["rooster"], "remove": "1"})
    assert cart_rows() == [(goods["cloth"], 1)]


def test_someone_elses_cart_is_never_touched(client, goods, app):
    add(client, goods["cloth"], 1)
    stranger = app.test_client()
    token = csrf_token(stranger)
    stranger.post("/cart/update", data={"csrf_token": token, "variant_id": goods["cloth"], "remove": "1"})
    assert cart_rows() == [(goods["cloth"], 1)]


def test_a_forged_price_in_the_form_is_ignored(client, goods):
    post_form(client, "/cart/add", {"variant_id": goods["cloth"], "quantity": "1", "price": "1", "price_satang": "1"})
    response, _ = checkout(client, total="100", price_satang="1")
    db.session.rollback()
    assert db.session.scalar(select(Order.total_satang)) == 65000 + 5000


def test_an_archived_product_in_the_cart_is_flagged_and_blocks_checkout(client, goods):
    add(client, goods["cloth"], 1)
    add(client, goods["rooster"], 1)
    product = db.session.scalar(select(Product).where(Product.slug == "rooster"))
    product.status = "archived"
    db.session.commit()
    cart = client.get("/cart").get_data(as_text=True)
    assert "ไม่มีจำหน่ายแล้ว" in cart
    assert 'href="/checkout"' not in cart
    before = counts()
    post_form(client, "/checkout", ADDRESS, token_from="/checkout")
    client.get("/checkout/review")
    review = client.get("/checkout/review").get_data(as_text=True)
    form = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1),
        "token": re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', review).group(1),
        "fingerprint": re.search(r'name="fingerprint"[^>]*value="([0-9a-f]{32})"', review).group(1),
    }
    placed = client.post("/checkout/place", data=form)
    assert placed.headers["Location"].endswith("/cart")
    assert counts() == before


def test_a_missing_csrf_token_is_refused_and_changes_nothing(client, goods):
    response = client.post("/cart/add", data={"variant_id": goods["cloth"], "quantity": "1"})
    assert response.status_code == 400
    assert "ระบบไม่เข้าใจคำขอนี้" in response.get_data(as_text=True)
    assert cart_rows() == []
    add(client, goods["cloth"], 1)
    post_form(client, "/checkout", ADDRESS, token_from="/checkout")
    before = counts()
    response = client.post("/checkout/place", data={"token": "a" * 32, "fingerprint": "b" * 32})
    assert response.status_code == 400
    assert counts() == before


def test_a_forged_place_order_post_with_a_stale_fingerprint_is_refused(client, goods):
    add(client, goods["cloth"], 1)
    post_form(client, "/checkout", ADDRESS, token_from="/checkout")
    review = client.get("/checkout/review").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1)
    token = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', review).group(1)
    before = counts()
    response = client.post("/checkout/place", data={"csrf_token": csrf, "token": token, "fingerprint": "d" * 32})
    assert response.headers["Location"].endswith("/checkout/review")
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "021234567", "10 digits"),
        ("postcode", "10250", "10240"),
        ("postcode", "abcde", "5 digits"),
        ("subdistrict", "ไม่มีจริง", "subdistrict"),
        ("district", "ไม่มีจริง", "district"),
        ("province", "99", "Not a valid choice"),
        ("email", "not-an-email", "email"),
        ("contact_name", "", "This field is required"),
    ],
)
def test_checkout_details_are_validated_with_clear_messages(client, goods, field, value, message):
    client.get("/language/en")
    add(client, goods["cloth"], 1)
    response = post_form(client, "/checkout", {**ADDRESS, field: value}, token_from="/checkout")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message.lower() in page.lower()
    assert 'aria-invalid="true"' in page


def test_an_expired_cart_says_so(client, goods, app):
    from datetime import timedelta

    from shop.models import Cart
    from shop.models._base import utcnow

    add(client, goods["cloth"], 1)
    cart = db.session.scalar(select(Cart))
    cart.updated_at = utcnow() - timedelta(days=31)
    db.session.commit()
    token = csrf_token(client)
    client.post("/cart/update", data={"csrf_token": token, "variant_id": goods["cloth"], "quantity": "2"})
    assert "หมดอายุ" in flashed(client.get("/cart"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Cart.id))) == 0


def test_the_cart_and_order_pages_show_the_lazy_expiry(client, goods):
    from datetime import timedelta

    add(client, goods["rooster"], 2)
    response, _ = checkout(client)
    order = db.session.scalar(select(Order))
    from shop.models._base import utcnow

    order.reserved_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "expired"
    assert db.session.get(Variant, goods["rooster"]).stock_reserved == 0
    assert "class=\"qr\"" not in page
