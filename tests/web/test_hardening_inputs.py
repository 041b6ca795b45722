"""Odd input gets a clear answer, never a 500: Unicode digits, ids past PostgreSQL's integer,
control characters in redirect targets, borrowed place-order tokens; private pages are never cached."""
import io
import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import CartItem, OfflineSale, Order, Product, SalesEntry, User, Variant
from shop.services.ordering import lifecycle
from tests.factories import cart_with, make_centre, make_product, place
from tests.web.helpers import ADDRESS, CSRF, checkout, csrf_token, flashed, post_form

PASSWORD = "hardening password 1"
TOO_BIG = "2147483648"  # one past PostgreSQL's integer


ACCOUNTS = {"staff": "surat@staff.example", "admin": "admin@tla.example", "customer": "customer@example.com"}


def make_user(role, centre=None) -> User:
    """Made only where a test signs in: password hashing is slow on purpose."""
    email = ACCOUNTS[role]
    user = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, email, next_url=None):
    url = "/account/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": csrf_token(client), "email": email, "password": PASSWORD})


@pytest.fixture
def world(app):
    surat = make_centre("surat", province_code="84", region="south")
    yala = make_centre("yala", province_code="95", province_en="Yala", province_th="ยะลา", region="south")
    cloth = make_product(surat, slug="cloth", prices=(65000,), stock=10)
    make_product(yala, slug="batik", prices=(30000,), stock=4)
    order = place(cart_with((cloth.variants[0].id, 1)))
    return {"surat": surat, "cloth": cloth, "variant_id": cloth.variants[0].id, "order": order}


def signed_in(app, world, role):
    make_user(role, world["surat"] if role == "staff" else None)
    client = app.test_client()
    assert sign_in(client, ACCOUNTS[role]).status_code == 303
    return client


def cart_rows():
    db.session.rollback()
    return db.session.execute(select(CartItem.variant_id, CartItem.quantity)).all()


# --- 1. Unicode digits ---------------------------------------------------------------------------

def test_unicode_digits_in_a_catalogue_query_are_a_clear_400(client, world):
    for url, word in [("/products?page=²", "หน้า"), ("/centres/yala?page=①", "หน้า"), ("/products?page=๒", "หน้า"),
                      ("/products?province=²²", "จังหวัด")]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert word in response.get_data(as_text=True), url


def test_unicode_digits_in_add_to_cart_are_refused_with_a_message(client, world):
    for field in ["quantity", "variant_id"]:
        for digit in ["²", "①", "๑"]:
            data = {"variant_id": str(world["variant_id"]), "quantity": "1", field: digit}
            response = post_form(client, "/cart/add", data)
            assert response.status_code == 303, (field, digit)
            assert flashed(client.get(response.headers["Location"])), (field, digit)
    assert cart_rows() == []


def test_unicode_digits_in_a_cart_update_are_refused_with_a_message(client, world):
    post_form(client, "/cart/add", {"variant_id": str(world["variant_id"]), "quantity": "2"})
    for field in ["quantity", "variant_id"]:
        data = {"variant_id": str(world["variant_id"]), "quantity": "1", field: "²"}
        response = post_form(client, "/cart/update", data, token_from="/cart")
        assert response.status_code == 303, field
        assert flashed(client.get("/cart")), field
    assert cart_rows() == [(world["variant_id"], 2)]


def upload_csv(client, url, text, token_from):
    token = CSRF.search(client.get(token_from).get_data(as_text=True)).group(1)
    return client.post(url, content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "rows.csv")})


def test_a_stock_count_in_unicode_digits_is_a_row_error(app, world):
    staff = signed_in(app, world, "staff")
    sku = world["cloth"].variants[0].sku
    for count in ["²", "๕", "1_000"]:
        response = upload_csv(staff, "/backoffice/stock/import", f"sku,on_hand\n{sku},{count}\n", "/backoffice/stock")
        assert response.status_code == 400, count
        assert "จำนวนคงเหลือต้องเป็นจำนวนเต็ม" in response.get_data(as_text=True), count
    db.session.rollback()
    assert db.session.get(Variant, world["variant_id"]).stock_on_hand == 10


def test_a_baseline_year_in_unicode_digits_is_a_row_error(app, world):
    admin = signed_in(app, world, "admin")
    response = upload_csv(admin, "/backoffice/baselines", "centre,year,amount_baht\nsurat,²⁰²¹,1000\n", "/backoffice/offline-sales")
    assert response.status_code == 400
    assert "ปีต้องเป็นปีคริสต์ศักราช เช่น 2021" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SalesEntry.id)).where(SalesEntry.kind == "baseline")) == 0


def test_an_offline_sale_quantity_in_unicode_digits_is_refused_with_a_message(app, world):
    staff = signed_in(app, world, "staff")
    token = csrf_token(staff, "/backoffice/offline-sales")
    for qty in ["²", "๑", TOO_BIG]:
        response = staff.post("/backoffice/offline-sales", data={
            "csrf_token": token, "day": "2026-05-01", "channel": "workshop", "amount": "100",
            "sku-1": world["cloth"].variants[0].sku, "qty-1": qty})
        assert response.status_code == 303, qty
        assert "100,000" in flashed(staff.get("/backoffice/offline-sales")), qty  # the quantity's own message
    assert db.session.scalar(select(func.count(OfflineSale.id))) == 0


def test_a_refund_quantity_in_unicode_digits_is_refused_with_a_message(app, world):
    order = world["order"]
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    admin = signed_in(app, world, "admin")
    token = csrf_token(admin, f"/backoffice/orders/{order.id}")
    line_id = order.lines[0].id
    response = admin.post(f"/backoffice/orders/{order.id}/refund", data={"csrf_token": token, f"qty-{line_id}": "²"})
    assert response.status_code == 303
    assert flashed(admin.get(f"/backoffice/orders/{order.id}"))


def test_a_session_with_a_strange_user_id_is_simply_signed_out(app, world):
    client = signed_in(app, world, "customer")
    for user_id in ["²", TOO_BIG]:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
        response = client.get("/account/orders")
        assert response.status_code == 302, user_id
        assert "/account/sign-in" in response.headers["Location"], user_id


# --- 2. Ids above 2^31 - 1 ------------------------------------------------------------------------

def test_adding_a_variant_id_past_the_database_integer_is_refused_with_a_message(client, world):
    response = post_form(client, "/cart/add", {"variant_id": TOO_BIG, "quantity": "1"})
    assert response.status_code == 303
    assert flashed(client.get(response.headers["Location"]))
    assert cart_rows() == []


def test_updating_a_variant_id_past_the_database_integer_is_refused_with_a_message(client, world):
    post_form(client, "/cart/add", {"variant_id": str(world["variant_id"]), "quantity": "2"})
    response = post_form(client, "/cart/update", {"variant_id": TOO_BIG, "quantity": "1"}, token_from="/cart")
    assert response.status_code == 303
    assert flashed(client.get("/cart"))
    assert cart_rows() == [(world["variant_id"], 2)]


BACKOFFICE_GETS = ["/backoffice/products/{id}", "/backoffice/variants/{id}", "/backoffice/variants/{id}/stock",
                   "/backoffice/shipments/{id}", "/backoffice/shipments/{id}/slip", "/backoffice/orders/{id}",
                   "/backoffice/centres/{id}"]
BACKOFFICE_POSTS = ["/backoffice/staff/{id}/disable", "/backoffice/products/{id}/archive", "/backoffice/images/{id}/delete",
                    "/backoffice/orders/{id}/confirm-transfer", "/backoffice/orders/{id}/refund", "/backoffice/shipments/{id}/pack"]


def test_a_back_office_page_for_an_id_out_of_range_is_404(app, world):
    admin = signed_in(app, world, "admin")
    for url in BACKOFFICE_GETS:
        for number in [TOO_BIG, "99999999999999999999", "0", "๑"]:
            assert admin.get(url.format(id=number)).status_code == 404, (url, number)


def test_a_back_office_action_on_an_id_out_of_range_is_404(app, world):
    admin = signed_in(app, world, "admin")
    token = csrf_token(admin, "/backoffice/")
    before = db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Order.id)))
    for url in BACKOFFICE_POSTS:
        response = admin.post(url.format(id=TOO_BIG), data={"csrf_token": token, "reference": "T9", "amount": "1"})
        assert response.status_code == 404, url
    db.session.rollback()
    assert (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Order.id)))) == before


def test_an_offline_sale_for_a_centre_id_out_of_range_is_refused_with_a_message(app, world):
    admin = signed_in(app, world, "admin")
    token = csrf_token(admin, "/backoffice/offline-sales")
    response = admin.post("/backoffice/offline-sales", data={
        "csrf_token": token, "centre_id": TOO_BIG, "day": "2026-05-01", "channel": "workshop", "amount": "100"})
    assert response.status_code == 303
    assert flashed(admin.get("/backoffice/offline-sales"))
    assert db.session.scalar(select(func.count(OfflineSale.id))) == 0


def test_a_new_product_for_a_centre_id_out_of_range_is_refused(app, world):
    admin = signed_in(app, world, "admin")
    token = csrf_token(admin, "/backoffice/products/new")
    category_id = world["cloth"].category_id
    before = db.session.scalar(select(func.count(Product.id)))
    response = admin.post("/backoffice/products/new", data={
        "csrf_token": token, "centre_id": TOO_BIG, "name_th": "ผ้า", "category_id": str(category_id),
        "otop_stars": "0", "sku": "NEW-1", "price": "100", "stock_on_hand": "1"})
    assert response.status_code in {200, 400}
    db.session.rollback()
    assert db.session.scalar(select(func.count(Product.id))) == before


# --- 3. Control characters in redirect targets --------------------------------------------------

def test_the_language_switch_sends_an_unsafe_target_home(client):
    for target in ["/%0d%0aX", "/%0aSet-Cookie:x=1", "/%09/evil.example", "/%5Cevil.example", "%5C%5Cevil.example",
                   "/%E2%80%A8x", "http://evil.example/", "//evil.example"]:
        response = client.get(f"/language/en?next={target}")
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/en/", target  # home, in the language just chosen


def test_the_language_switch_still_returns_to_a_page_of_the_shop(client):
    response = client.get("/language/en?next=/products%3Fq%3D%E0%B8%9C%E0%B9%89%E0%B8%B2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/products?q=")  # the same page, in English


def test_sign_in_with_an_unsafe_next_goes_to_the_account_home(app, world):
    make_user("customer")
    make_user("staff", world["surat"])
    response = sign_in(app.test_client(), ACCOUNTS["customer"], next_url="/%0d%0aX")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/orders"
    response = sign_in(app.test_client(), ACCOUNTS["staff"], next_url="/%5Cevil.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "/backoffice/"


def test_sign_in_still_returns_to_the_page_that_asked(app, world):
    make_user("staff", world["surat"])
    response = sign_in(app.test_client(), ACCOUNTS["staff"], next_url="/backoffice/stock%3Flow%3D1")
    assert response.headers["Location"] == "/backoffice/stock?low=1"


def test_add_to_cart_with_an_unsafe_back_link_returns_to_the_cart(client, world):
    response = post_form(client, "/cart/add", {"variant_id": "²", "quantity": "1", "back": "/products/\r\nX"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/cart"


# --- 4. Place-order tokens are bound to the cart that made them -----------------------------------

def review_form(client) -> dict:
    review = client.get("/checkout/review").get_data(as_text=True)
    return {
        "csrf_token": CSRF.search(review).group(1),
        "token": re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', review).group(1),
        "fingerprint": re.search(r'name="fingerprint"[^>]*value="([0-9a-f]{32})"', review).group(1),
    }


def ready_to_place(app, variant_id, email):
    client = app.test_client()
    post_form(client, "/cart/add", {"variant_id": str(variant_id), "quantity": "1"})
    response = post_form(client, "/checkout", {**ADDRESS, "email": email}, token_from="/checkout")
    assert response.status_code == 303
    return client


def test_another_visitors_used_place_order_token_does_not_open_their_order(app, world):
    alice = ready_to_place(app, world["variant_id"], "alice@example.com")
    alice_form = review_form(alice)
    placed = alice.post("/checkout/place", data=alice_form)
    alice_order = db.session.scalar(select(Order).where(Order.email == "alice@example.com"))
    assert alice_order.number in placed.headers["Location"]
    mallory = ready_to_place(app, world["variant_id"], "mallory@example.com")
    mallory_form = review_form(mallory)
    response = mallory.post("/checkout/place", data={**mallory_form, "token": alice_form["token"]})
    assert response.status_code == 303
    assert alice_order.number not in response.headers["Location"]
    assert response.headers["Location"].endswith("/checkout/review")
    assert flashed(mallory.get("/cart"))
    assert alice.post("/checkout/place", data=alice_form).headers["Location"] == placed.headers["Location"]


def test_another_visitors_unused_place_order_token_places_nothing(app, world):
    alice = ready_to_place(app, world["variant_id"], "alice@example.com")
    alice_form = review_form(alice)
    mallory = ready_to_place(app, world["variant_id"], "mallory@example.com")
    mallory_form = review_form(mallory)
    orders_before = db.session.scalar(select(func.count(Order.id)))
    response = mallory.post("/checkout/place", data={**mallory_form, "token": alice_form["token"]})
    assert response.headers["Location"].endswith("/checkout/review")
    assert db.session.scalar(select(func.count(Order.id))) == orders_before
    placed = alice.post("/checkout/place", data=alice_form)
    db.session.rollback()
    alice_order = db.session.scalar(select(Order).where(Order.idempotency_key == alice_form["token"]))
    assert alice_order.email == "alice@example.com"
    assert alice_order.number in placed.headers["Location"]


# --- 5. Private pages are never stored by browsers or proxies ----------------------------------

def test_order_pages_are_not_stored(app, world):
    client = app.test_client()
    post_form(client, "/cart/add", {"variant_id": str(world["variant_id"]), "quantity": "1"})
    placed, _ = checkout(client)
    order_url = placed.headers["Location"]
    assert placed.headers["Cache-Control"] == "no-store"
    number = re.search(r"/orders/([^?]+)", order_url).group(1)
    key = order_url.split("key=")[1]
    for url in [order_url, f"/orders/{number}/payment-cancelled?key={key}", f"/orders/{number}/paid?key={key}", "/checkout/review"]:
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.get("/products").headers.get("Cache-Control", "")


def test_account_pages_are_not_stored(app, world):
    client = app.test_client()
    assert client.get("/account/sign-in").headers["Cache-Control"] == "no-store"
    assert client.get("/account/register").headers["Cache-Control"] == "no-store"
    customer = signed_in(app, world, "customer")
    assert customer.get("/account/orders").headers["Cache-Control"] == "no-store"


def test_back_office_and_report_pages_are_not_stored(app, world):
    admin = signed_in(app, world, "admin")
    for url in ["/backoffice/", "/backoffice/products", "/backoffice/stock", "/backoffice/stock.csv", "/backoffice/payments",
                "/backoffice/staff", "/backoffice/audit", "/backoffice/offline-sales", f"/backoffice/products/{world['cloth'].id}",
                f"/backoffice/orders/{world['order'].id}", "/backoffice/orders/999999", "/reports/", "/reports/centre.csv"]:
        response = admin.get(url)
        assert response.status_code in {200, 404}, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_the_back_office_sign_in_redirect_is_not_stored(client):
    response = client.get("/backoffice/payments")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
