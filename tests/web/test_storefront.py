"""The storefront pages through the test client, in Thai and in English."""
import re

import pytest

from shop.extensions import db
from shop.models import Variant
from tests.factories import make_centre, make_product


def text(response) -> str:
    return response.get_data(as_text=True)


def switch_to(client, lang):
    response = client.get(f"/language/{lang}?next=/")
    assert response.status_code == 302


def test_home_shows_centres_by_region_and_featured_products_in_thai(client, demo):
    page = text(client.get("/"))
    assert '<html lang="th">' in page
    assert "ภาคใต้" in page and "ภาคตะวันออกเฉียงเหนือ" in page
    assert "ศูนย์เรียนรู้ Relearning Space สุราษฎร์ธานี" in page
    assert "ผ้าพิมพ์ใบไม้ สุราษฎร์ธานี" in page
    assert "สินค้าแนะนำ" in page


def test_english_is_a_visible_switch_that_persists(client, demo):
    home = text(client.get("/"))
    assert 'href="/language/en?next=/"' in home
    switch_to(client, "en")
    for url in ["/", "/products", "/products/leaf-printed-cloth", "/centres/surat-thani"]:
        response = client.get(url)  # the choice is remembered: the Thai address leads to the English one
        assert response.status_code == 302 and response.headers["Location"] == "/en" + url, url
        page = text(client.get("/en" + url))
        assert '<html lang="en">' in page, url
    assert "Surat Thani leaf-printed cloth" in text(client.get("/en/products/leaf-printed-cloth"))
    switch_to(client, "th")
    assert '<html lang="th">' in text(client.get("/products"))


def test_language_switch_returns_to_the_same_page(client, demo):
    response = client.get("/language/en?next=/products?q=leaf")
    assert response.headers["Location"] == "/en/products?q=leaf"
    assert client.get("/language/th?next=/en/products?q=leaf").headers["Location"] == "/products?q=leaf"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", "evil"])
def test_language_switch_is_not_an_open_redirect(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/en/"
    assert client.get("/language/th", query_string={"next": target}).headers["Location"] == "/"


def test_unknown_language_is_a_404(client):
    assert client.get("/language/fr").status_code == 404


def test_product_page_shows_photos_variants_prices_stock_centre_and_otop(client, demo):
    page = text(client.get("/products/leaf-printed-cloth"))
    assert page.count('src="/media/') >= 1
    assert "alt=\"ภาพตัวอย่างของผ้าพิมพ์ใบไม้ สุราษฎร์ธานี\"" in page
    for option in ["สีคราม / 2 เมตร", "สีคราม / 1 เมตร"]:
        assert option in page
    assert "฿1,250" in page and "฿650" in page
    assert "เริ่มต้น ฿650" in page  # price range shown as "from"
    assert "เหลือเพียง 1 ชิ้น" in page  # low stock
    assert "สินค้า OTOP" in page and "★★★★" in page
    assert 'href="/centres/surat-thani"' in page
    assert "ห้องสมุดประชาชน" in page  # the centre's story
    assert "พ.ศ." not in page and re.search(r"วางจำหน่ายเมื่อ \d+ [ก-๙.]+ 25\d\d", page)


def test_centre_page_shows_its_story_province_and_only_its_products(client, demo):
    page = text(client.get("/centres/surat-thani"))
    assert "สุราษฎร์ธานี" in page
    assert "ผ้าพิมพ์ใบไม้ สุราษฎร์ธานี" in page
    assert "ไก่ไม้แกะสลัก" not in page  # a Lampang product
    assert "5 รายการ" in page


def test_catalogue_filters_and_search_in_the_page(client, demo):
    assert "42 รายการ" in text(client.get("/products"))
    page = text(client.get("/products", query_string={"q": "ใบไม้"}))
    assert "ผ้าพิมพ์ใบไม้ สุราษฎร์ธานี" in page and "ไก่ไม้แกะสลัก" not in page
    switch_to(client, "en")
    page = text(client.get("/products", query_string={"q": "LEAF", "region": "south", "sort": "price_asc"}, follow_redirects=True))
    assert "Leaf-print tote bag" in page and "4 products" in page


def test_pagination_links_keep_the_filters(client, app, demo):
    app.config["CATALOGUE_PAGE_SIZE"] = 5
    page = text(client.get("/products?region=north&sort=price_asc"))
    assert 'href="/products?region=north&amp;sort=price_asc&amp;page=2"' in page
    assert "หน้า 1 จาก" in page
    assert client.get("/products?region=north&sort=price_asc&page=2").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/products/no-such-thing",
        "/centres/atlantis",
        "/products?page=99",
        "/centres/surat-thani?page=5",
        "/media/../../etc/passwd",
        "/media/zz/none.jpg",
        "/totally/unknown",
    ],
)
def test_unknown_things_get_a_friendly_404(client, demo, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in text(response)
    assert "กลับไปที่ร้าน" in text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=abc", "เลขหน้าไม่ถูกต้อง"),
        ("page=-3", "เลขหน้าไม่ถูกต้อง"),
        ("page=1e9", "เลขหน้าไม่ถูกต้อง"),
        ("page=" + "9" * 400, "เลขหน้าไม่ถูกต้อง"),
        ("sort=random()", "เรียงลำดับแบบนี้ไม่ได้"),
        ("region=atlantis", "ไม่พบภาคที่เลือก"),
        ("province=%27%3B--", "ไม่พบจังหวัดที่เลือก"),
        ("centre=%00", "ระบบไม่เข้าใจคำขอนี้"),
        ("category=" + "x" * 5000, "ไม่พบหมวดหมู่ที่เลือก"),
        ("q=" + "ผ้า" * 2000, "คำค้นยาวเกินไป"),
    ],
)
def test_absurd_filters_get_a_clear_400_page(client, demo, query, message):
    response = client.get("/products?" + query)
    assert response.status_code == 400
    assert message in text(response)


def test_bad_filter_message_in_english(client, demo):
    switch_to(client, "en")
    response = client.get("/products?page=abc", follow_redirects=True)
    assert response.status_code == 400
    assert "That page number is not valid" in text(response)


def test_security_headers_are_set(client):
    headers = client.get("/healthz").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_session_cookie_is_http_only_and_samesite(client):
    response = client.get("/language/en")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_media_is_served_with_a_year_long_cache(client, demo):
    page = text(client.get("/products/leaf-printed-cloth"))
    src = re.search(r'src="(/media/[^"]+)"', page).group(1)
    response = client.get(src)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_a_price_change_shows_at_once_despite_the_cache(client, app):
    product = make_product(slug="scarf", prices=(45000,), stock=2)
    assert "฿450" in text(client.get("/products/scarf"))
    assert "฿450" in text(client.get("/products"))
    variant = db.session.get(Variant, product.variants[0].id)
    variant.price_satang = 52000
    variant.stock_on_hand = 0
    db.session.commit()
    page = text(client.get("/products/scarf"))
    assert "฿520" in page and "฿450" not in page
    assert "สินค้าหมด" in page
    assert "฿520" in text(client.get("/products"))


def test_the_cache_serves_a_page_without_rendering_it_again(client, app, count_queries):
    make_product(slug="scarf")
    client.get("/products/scarf")
    with count_queries() as statements:
        assert client.get("/products/scarf").status_code == 200
    # one query, the catalogue version with the soonest stock hold to expire; on PostgreSQL it
    # runs on the worker's own autocommit connection, outside SQLAlchemy
    state_queries = 0 if db.engine.dialect.name == "postgresql" else 1
    assert len(statements) == state_queries, statements


@pytest.mark.parametrize("page_size", [5, 40])
def test_product_lists_run_a_fixed_number_of_queries(client, app, count_queries, page_size):
    app.config["FRAGMENT_CACHE"] = False
    centres = [make_centre() for _ in range(3)]
    for i in range(45):
        make_product(centres[i % 3], prices=(1000 + i, 2000 + i), commit=False)
    db.session.commit()
    db.session.expire_all()
    app.config["CATALOGUE_PAGE_SIZE"] = page_size
    with count_queries() as statements:
        assert client.get("/products").status_code == 200
    listing = len(statements)
    with count_queries() as statements:
        assert client.get("/").status_code == 200
    home = len(statements)
    # (state,) count, the cards (with their centres, prices, stock and first photos), centres, categories
    state_queries = 0 if db.engine.dialect.name == "postgresql" else 1
    assert listing == 4 + state_queries, statements
    assert home <= 4 + state_queries, statements  # + the programme's impact figures, in one query


def test_thai_filter_labels_are_labelled_fields(client, demo):
    page = text(client.get("/products"))
    for field_id in ["f-centre", "f-province", "f-region", "f-category", "f-sort", "f-in-stock", "site-search"]:
        assert f'id="{field_id}"' in page
        assert f'for="{field_id}"' in page


def test_cached_pages_carry_each_visitors_own_csrf_token(app):
    from shop.models import CartItem
    from tests.web.helpers import CSRF

    product = make_product(slug="scarf", stock=5)
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/products/scarf").get_data(as_text=True)
    page_two = second.get("/products/scarf").get_data(as_text=True)  # served from the page cache
    token_one, token_two = CSRF.search(page_one).group(1), CSRF.search(page_two).group(1)
    assert token_one != token_two and "placeholder" not in page_two
    response = second.post("/cart/add", data={"csrf_token": token_two, "variant_id": product.variants[0].id, "quantity": "1"})
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(CartItem.id))) == 1


def test_signed_in_visitors_and_flash_messages_never_get_an_anonymous_cached_page(client, app):
    from tests.web.helpers import post_form

    make_product(slug="scarf", stock=5)
    assert "เข้าสู่ระบบ" in client.get("/products/scarf").get_data(as_text=True)  # cached, anonymous
    post_form(client, "/account/register", {"name": "N", "email": "n@example.com", "password": "long password 1", "confirm": "long password 1"})
    page = client.get("/products/scarf").get_data(as_text=True)
    assert "ออกจากระบบ" in page


def test_an_unchanged_session_sends_no_cookie_so_parallel_requests_cannot_undo_a_csrf_token(client):
    # Bug: with permanent sessions refreshed on every request, a favicon request sent alongside a
    # product page overwrote the page's fresh cookie (holding its CSRF token): "add to cart" got 400.
    client.get("/language/en")
    client.get("/", follow_redirects=True)  # Flask-Login marks a new permanent session once
    assert "Set-Cookie" not in client.get("/nothing-here").headers
    assert "Set-Cookie" not in client.get("/").headers
    assert "Set-Cookie" not in client.get("/healthz").headers
