"""Built for thumbs, without JavaScript: − / + quantities, postcode first, the cart count, double posts."""
import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import CartItem, Order, SalesEntry, StockMovement, Variant
from tests.factories import make_centre, make_product
from tests.web.helpers import ADDRESS, CSRF, checkout, csrf_token, flashed, post_form
from tests.web.test_backoffice import make_user, sign_in
from tests.web.test_hardening_inputs import upload_csv

# The address as the page sends it now: postcode first, then a subdistrict from the postcode's list.
BY_POSTCODE = {key: value for key, value in ADDRESS.items() if key not in {"subdistrict", "district", "province"}}
KHLONG_CHAN = "100601"  # Khlong Chan, Bang Kapi, Bangkok: one of 10240's subdistricts


@pytest.fixture
def goods(app):
    surat = make_centre("surat", province_code="84", region="south")
    cloth = make_product(surat, slug="cloth", prices=(125000, 65000), stock=(3, 5))
    balm = make_product(surat, slug="balm", prices=(9000,), stock=20)
    return {"cloth": cloth.variants[1].id, "cloth_big": cloth.variants[0].id, "balm": balm.variants[0].id}


def add(client, variant_id, quantity="1"):
    return post_form(client, "/cart/add", {"variant_id": str(variant_id), "quantity": str(quantity)})


def cart_quantity(variant_id):
    db.session.rollback()
    return db.session.scalar(select(CartItem.quantity).where(CartItem.variant_id == variant_id))


def header_count(page: str) -> str:
    return re.search(r'class="cart-count">([^<]*)<', page).group(1)


# --- − and + ---------------------------------------------------------------------------------

def test_plus_and_minus_in_the_cart_change_the_quantity_without_javascript(client, goods):
    add(client, goods["balm"], 2)
    token = csrf_token(client, "/cart")
    step = {"csrf_token": token, "variant_id": str(goods["balm"]), "quantity": "2"}
    assert client.post("/cart/update", data={**step, "step": "+1"}).status_code == 303
    assert cart_quantity(goods["balm"]) == 3
    client.post("/cart/update", data={**step, "quantity": "3", "step": "-1"})
    assert cart_quantity(goods["balm"]) == 2
    page = client.get("/cart").get_data(as_text=True)
    assert 'name="step" value="-1"' in page and 'name="step" value="+1"' in page


def test_minus_stops_at_one_and_plus_at_the_stock(client, goods):
    add(client, goods["cloth_big"], 1)
    token = csrf_token(client, "/cart")
    client.post("/cart/update", data={"csrf_token": token, "variant_id": str(goods["cloth_big"]), "quantity": "1", "step": "-1"})
    assert cart_quantity(goods["cloth_big"]) == 1
    client.post("/cart/update", data={"csrf_token": token, "variant_id": str(goods["cloth_big"]), "quantity": "3", "step": "+1"})
    assert cart_quantity(goods["cloth_big"]) == 1  # only 3 in stock: refused, unchanged
    assert "3" in flashed(client.get("/cart"))


def test_a_step_that_is_not_one_is_refused_with_a_message(client, goods):
    client.get("/language/en")
    add(client, goods["balm"], 2)
    token = csrf_token(client, "/cart")
    client.post("/cart/update", data={"csrf_token": token, "variant_id": str(goods["balm"]), "quantity": "2", "step": "+50"})
    assert cart_quantity(goods["balm"]) == 2
    assert "quantity from 1 to 99" in flashed(client.get("/cart"))


def test_plus_on_the_product_page_shows_it_again_with_the_quantity_moved(client, goods):
    page = client.get("/products/cloth").get_data(as_text=True)
    assert 'formaction="/products/cloth/quantity"' in page
    token = CSRF.search(page).group(1)
    response = client.post("/products/cloth/quantity",
                           data={"csrf_token": token, "variant_id": str(goods["cloth_big"]), "quantity": "2", "step": "+1"})
    assert response.status_code == 303
    assert "/products/cloth?" in response.headers["Location"] and "quantity=3" in response.headers["Location"]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="quantity"[^>]*value="3"', shown)
    assert re.search(rf'<option value="{goods["cloth_big"]}" selected', shown)
    assert cart_quantity(goods["cloth_big"]) is None  # stepping never adds to the cart
    plain = client.get("/products/cloth").get_data(as_text=True)  # the cached page is untouched
    assert re.search(r'id="quantity"[^>]*value="1"', plain)


def test_minus_on_the_product_page_stays_at_one(client, goods):
    token = CSRF.search(client.get("/products/cloth").get_data(as_text=True)).group(1)
    response = client.post("/products/cloth/quantity", data={"csrf_token": token, "variant_id": str(goods["cloth"]),
                                                             "quantity": "1", "step": "-1"})
    assert "quantity=1" in response.headers["Location"]
    assert client.post("/products/nothing-here/quantity", data={"csrf_token": token, "step": "+1"}).status_code == 404


# --- Postcode first ----------------------------------------------------------------------------

def test_the_postcode_step_lists_its_subdistricts_without_javascript(client, goods):
    add(client, goods["balm"])
    token = csrf_token(client, "/checkout")
    response = client.post("/checkout", data={"csrf_token": token, **BY_POSTCODE, "find_postcode": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<option value="{KHLONG_CHAN}"' in page and "คลองจั่น" in page and "หัวหมาก" in page
    assert 'value="สมชาย ใจดี"' in page  # what was typed is kept
    assert 'class="error"' not in page  # a step, not a failed form
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_chosen_subdistrict_fills_in_district_and_province(client, goods):
    add(client, goods["balm"])
    response = post_form(client, "/checkout", {**BY_POSTCODE, "subdistrict_code": KHLONG_CHAN}, token_from="/checkout")
    assert response.status_code == 303, flashed(response)
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "คลองจั่น" in review and "บางกะปิ" in review and "กรุงเทพมหานคร" in review and "10240" in review
    # back on the form, the choice is remembered and district and province are shown filled in
    form = client.get("/checkout").get_data(as_text=True)
    assert re.search(rf'<option value="{KHLONG_CHAN}"[^>]*selected', form)
    assert re.search(r'id="province-filled"[^>]*>กรุงเทพมหานคร<', form)


def test_a_postcode_with_one_subdistrict_needs_no_choice(client, goods):
    add(client, goods["balm"])
    response = post_form(client, "/checkout", {**BY_POSTCODE, "postcode": "84320"}, token_from="/checkout")  # Bo Phut only
    assert response.status_code == 303, flashed(response)
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "บ่อผุด" in review and "สุราษฎร์ธานี" in review


def test_a_subdistrict_of_another_postcode_is_refused(client, goods):
    client.get("/language/en")
    add(client, goods["balm"])
    response = post_form(client, "/checkout", {**BY_POSTCODE, "subdistrict_code": "840101"}, token_from="/checkout")
    assert response.status_code == 400
    assert "postcode&#39;s list" in response.get_data(as_text=True) or "postcode's list" in response.get_data(as_text=True)
    assert client.get("/checkout/review").status_code == 303  # nothing saved


def test_several_subdistricts_and_none_chosen_asks_for_one(client, goods):
    client.get("/language/en")
    add(client, goods["balm"])
    response = post_form(client, "/checkout", BY_POSTCODE, token_from="/checkout")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please choose your subdistrict from the list." in page
    assert 'aria-invalid="true" aria-describedby="subdistrict_code-error"' in page


@pytest.mark.parametrize("postcode", ["99999", "1024", "abcde"])
def test_an_unknown_postcode_says_so(client, goods, postcode):
    client.get("/language/en")
    add(client, goods["balm"])
    token = csrf_token(client, "/checkout")
    response = client.post("/checkout", data={"csrf_token": token, **BY_POSTCODE, "postcode": postcode, "find_postcode": "y"})
    assert "We cannot find that postcode" in response.get_data(as_text=True)
    response = client.post("/checkout", data={"csrf_token": token, **BY_POSTCODE, "postcode": postcode})
    assert response.status_code == 400


def test_the_postcode_lookup_answers_json_for_the_script(client):
    data = client.get("/checkout/postcode/10240.json").get_json()
    codes = {place["code"]: place for place in data["places"]}
    assert codes[KHLONG_CHAN]["district_th"] == "เขตบางกะปิ" and codes[KHLONG_CHAN]["province_en"] == "Bangkok"
    assert client.get("/checkout/postcode/99999.json").get_json()["places"] == []
    assert client.get("/checkout/postcode/%E0%B9%91.json").get_json()["places"] == []
    assert "public" in client.get("/checkout/postcode/10240.json").headers["Cache-Control"]


def test_the_typed_address_still_works_and_is_still_checked(client, goods):
    add(client, goods["balm"])
    response, _ = checkout(client)  # subdistrict, district and province typed, as before
    assert response.status_code == 303
    client.get("/language/en")
    add(client, goods["balm"])
    response = post_form(client, "/checkout", {**ADDRESS, "district": "ไม่มีจริง"}, token_from="/checkout")
    assert response.status_code == 400 and "district" in response.get_data(as_text=True)


# --- The cart count in the header ----------------------------------------------------------------

def test_the_header_counts_each_visitors_own_items_even_on_cached_pages(app, goods):
    first, second = app.test_client(), app.test_client()
    add(first, goods["balm"], 3)
    add(first, goods["cloth"], 2)
    first.get("/cart")  # reads the flash away, so the next pages are the cached ones
    for path in ("/", "/products", "/products/cloth", "/centres/surat"):
        assert header_count(second.get(path).get_data(as_text=True)) == "0", path  # fills the page cache
        assert header_count(first.get(path).get_data(as_text=True)) == "5", path  # served from it
        assert header_count(second.get(path).get_data(as_text=True)) == "0", path
    assert "__cart_count" not in first.get("/").get_data(as_text=True)


def test_the_header_counts_a_signed_in_customers_cart_and_other_pages_too(app, goods):
    make_user("buyer@example.com", "customer")
    client = sign_in(app.test_client(), "buyer@example.com")
    add(client, goods["balm"], 4)
    for path in ("/", "/cart", "/account/orders", "/no-such-page"):
        assert header_count(client.get(path).get_data(as_text=True)) == "4", path


def test_back_office_pages_have_no_shop_search_or_cart(app, goods):
    make_user("admin@tla.example", "admin")
    admin = sign_in(app.test_client(), "admin@tla.example")
    for path in ("/backoffice/", "/backoffice/stock", "/reports/"):
        page = admin.get(path).get_data(as_text=True)
        assert 'id="site-search"' not in page and "cart-count" not in page, path
        assert 'class="bo-nav"' in page and "/account/sign-out" in page, path


# --- Double submission ---------------------------------------------------------------------------

def test_place_order_posted_twice_makes_one_order(client, goods):
    add(client, goods["balm"], 2)
    first, form = checkout(client)
    again = client.post("/checkout/place", data=form)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.get(Variant, goods["balm"]).stock_reserved == 2
    review = client.get("/checkout/review")  # the cart is empty now: no review to place again
    assert review.status_code == 303


def test_a_stock_import_posted_twice_changes_stock_once(app, goods):
    surat = db.session.get(Variant, goods["balm"]).product.centre
    make_user("surat@staff.example", "staff", surat)
    staff = sign_in(app.test_client(), "surat@staff.example")
    sku = db.session.get(Variant, goods["balm"]).sku
    for _ in range(2):
        assert upload_csv(staff, "/backoffice/stock/import", f"sku,on_hand\n{sku},7\n", "/backoffice/stock").status_code == 303
    db.session.rollback()
    assert db.session.get(Variant, goods["balm"]).stock_on_hand == 7
    notes = db.session.scalars(select(StockMovement.note).where(StockMovement.variant_id == goods["balm"])).all()
    assert notes.count("count: CSV import") == 1
    assert 'data-once' in staff.get("/backoffice/stock").get_data(as_text=True)


def test_a_baseline_import_posted_twice_is_refused_the_second_time(app, goods):
    make_user("admin@tla.example", "admin")
    admin = sign_in(app.test_client(), "admin@tla.example")
    rows = "centre,year,amount_baht\nsurat,2021,1000\n"
    assert upload_csv(admin, "/backoffice/baselines", rows, "/backoffice/offline-sales").status_code == 303
    again = upload_csv(admin, "/backoffice/baselines", rows, "/backoffice/offline-sales")
    assert again.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count(SalesEntry.id)).where(SalesEntry.kind == "baseline")) == 1
