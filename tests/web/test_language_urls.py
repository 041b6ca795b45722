"""The language in the URL: Thai at the root, English under /en/, each page naming the other."""
import html
import re

import pytest

from shop.extensions import db
from shop.models import User
from tests.factories import make_centre, make_product
from tests.web.helpers import CSRF, csrf_token, flashed

BASE = "http://127.0.0.1:5000"  # PUBLIC_URL in the tests


def text(response) -> str:
    return response.get_data(as_text=True)


def head_links(page: str) -> dict[str, str]:
    links = {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)}
    links["canonical"] = html.unescape(re.search(r'<link rel="canonical" href="([^"]+)">', page).group(1))
    return links


@pytest.fixture
def shop(app):
    centre = make_centre("surat", name_th="ศูนย์สุราษฎร์", name_en="Surat centre")
    product = make_product(centre, slug="leaf-cloth", name_th="ผ้าพิมพ์ใบไม้", name_en="Leaf-printed cloth", stock=2)
    return product


def test_an_english_address_opened_with_no_session_is_english(client, shop):
    response = client.get("/en/products/leaf-cloth")
    page = text(response)
    assert response.status_code == 200 and '<html lang="en">' in page
    assert "<h1>Leaf-printed cloth</h1>" in page
    assert "Set-Cookie" not in response.headers or "lang" not in response.headers["Set-Cookie"]


def test_thai_stays_at_the_root(client, shop):
    page = text(client.get("/products/leaf-cloth"))
    assert '<html lang="th">' in page and "<h1>ผ้าพิมพ์ใบไม้</h1>" in page


@pytest.mark.parametrize("path", ["/", "/products", "/products?category=x&page=2", "/centres/surat",
                                  "/products/leaf-cloth", "/cart", "/account/sign-in", "/account/register"])
def test_every_page_names_its_thai_english_and_default_addresses_and_its_canonical(client, shop, path):
    thai = head_links(text(client.get(path)))
    english = head_links(text(client.get("/en" + path)))
    expected = {"th": BASE + path, "en": BASE + "/en" + path, "x-default": BASE + path}
    for links in (thai, english):
        assert {k: links[k] for k in ("th", "en", "x-default")} == expected, path
    assert thai["canonical"] == BASE + path
    assert english["canonical"] == BASE + "/en" + path


def test_the_english_home_page_is_at_en_with_or_without_the_slash(client, shop):
    assert '<html lang="en">' in text(client.get("/en"))
    assert head_links(text(client.get("/en/")))["canonical"] == BASE + "/en/"


def test_links_on_an_english_page_stay_english_but_files_have_one_address(client, shop):
    page = text(client.get("/en/products/leaf-cloth"))
    assert 'href="/en/centres/surat"' in page and 'href="/en/products"' in page and 'action="/en/cart/add"' in page
    assert 'href="/static/css/shop.css?v=' in page and "/en/static/" not in page
    assert 'href="/favicon.ico"' in page


def test_the_switch_goes_to_the_same_page_in_the_other_language_and_remembers_the_choice(client, shop):
    page = text(client.get("/en/products/leaf-cloth"))
    switch = re.search(r'<a href="([^"]+)" lang="th" hreflang="th">ไทย</a>', page).group(1)
    assert switch == "/language/th?next=/products/leaf-cloth"
    response = client.get(switch)
    assert response.status_code == 302 and response.headers["Location"] == "/products/leaf-cloth"
    assert "<h1>ผ้าพิมพ์ใบไม้</h1>" in text(client.get("/products/leaf-cloth"))
    # and back to English: remembered, so the Thai address of another page leads to its English one
    thai_page = text(client.get("/products/leaf-cloth"))
    switch = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', thai_page).group(1)
    assert client.get(switch).headers["Location"] == "/en/products/leaf-cloth"
    response = client.get("/centres/surat?sort=name")
    assert response.status_code == 302 and response.headers["Location"] == "/en/centres/surat?sort=name"


def test_an_english_link_is_english_even_for_someone_who_chose_thai(client, shop):
    client.get("/language/th")
    assert '<html lang="en">' in text(client.get("/en/products/leaf-cloth"))
    assert '<html lang="th">' in text(client.get("/products/leaf-cloth"))  # the choice is kept


def test_old_links_keep_working(client, shop):
    assert client.get("/products/leaf-cloth").status_code == 200
    assert client.get("/language/en?next=/products/leaf-cloth").headers["Location"] == "/en/products/leaf-cloth"
    assert client.get("/en/language/th?next=/products").headers["Location"] == "/products"


def test_cached_pages_are_kept_apart_by_language(client, shop):
    for _round in range(2):  # the second round is served from the page cache
        assert "<h1>ผ้าพิมพ์ใบไม้</h1>" in text(client.get("/products/leaf-cloth"))
        assert "<h1>Leaf-printed cloth</h1>" in text(client.get("/en/products/leaf-cloth"))
        assert 'lang="th"' in text(client.get("/products")) and 'lang="en"' in text(client.get("/en/products"))


def test_adding_to_the_cart_from_an_english_page_stays_english(client, shop):
    page = text(client.get("/en/products/leaf-cloth"))
    token = CSRF.search(page).group(1)
    variant = shop.variants[0].id
    response = client.post("/en/cart/add", data={"csrf_token": token, "variant_id": variant, "quantity": "1",
                                                 "back": "/en/products/leaf-cloth"})
    assert response.status_code == 303 and response.headers["Location"] == "/en/cart"
    assert "Added to your cart." in flashed(client.get("/en/cart"))
    # more than there is: back to the same English product page with the reason
    response = client.post("/en/cart/add", data={"csrf_token": token, "variant_id": variant, "quantity": "50",
                                                 "back": "/en/products/leaf-cloth"})
    assert response.headers["Location"] == "/en/products/leaf-cloth"


def test_signing_in_from_an_english_page_returns_to_the_english_page(app, client, shop):
    user = User(email="staff@relearn.example", name="Staff", role="staff", centre_id=shop.centre_id)
    user.set_password("staff password 1")
    db.session.add(user)
    db.session.commit()
    response = client.get("/en/backoffice/")
    assert response.headers["Location"].startswith("/en/account/sign-in?next=/backoffice/")
    token = csrf_token(client, "/en/account/sign-in")
    response = client.post("/en/account/sign-in?next=/backoffice/",
                           data={"csrf_token": token, "email": user.email, "password": "staff password 1"})
    assert response.status_code == 303 and response.headers["Location"] == "/en/backoffice/"
    assert '<html lang="en">' in text(client.get("/en/backoffice/"))


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/"])
def test_signing_in_never_goes_to_another_site(app, client, shop, target):
    user = User(email="buyer@relearn.example", name="Buyer", role="customer")
    user.set_password("buyer password 1")
    db.session.add(user)
    db.session.commit()
    token = csrf_token(client)
    response = client.post("/account/sign-in", query_string={"next": target},
                           data={"csrf_token": token, "email": user.email, "password": "buyer password 1"})
    assert response.headers["Location"] == "/account/orders"


def test_an_english_page_that_does_not_exist_is_an_english_404(client, shop):
    response = client.get("/en/products/nothing-here")
    assert response.status_code == 404 and '<html lang="en">' in text(response)


def test_urls_outside_the_shop_pages_have_one_address(client, app, shop):
    with app.test_request_context("/en/products"):
        from flask import url_for

        assert url_for("storefront.product", slug="x") == "/en/products/x"
        assert url_for("storefront.media", filename="ab/c.jpg") == "/media/ab/c.jpg"
        assert url_for("storefront.sitemap") == "/sitemap.xml"
        assert url_for("api.openapi") == "/api/v1/openapi.json"
        assert url_for("storefront.product", slug="x", _external=True) == "http://localhost/en/products/x"
        assert url_for("static", filename="favicon.ico", _external=True).startswith("http://localhost/static/favicon.ico")


def test_addresses_built_once_per_worker_stay_in_their_language_and_scheme(app):
    """url_for remembers what it built: the same call under /en/, at the root, on another host or
    with other values still gets its own address; files keep one address."""
    from flask import url_for

    cases = [("/en/products", "http", "/en/products/scarf", "/static/css/shop.css"),
             ("/products", "http", "/products/scarf", "/static/css/shop.css"),
             ("/en/products", "https", "/en/products/scarf", "/static/css/shop.css")]
    for _ in range(2):  # the second round comes from what was remembered
        for path, scheme, product, static in cases:
            with app.test_request_context(path, base_url=f"{scheme}://shop.example"):
                assert url_for("storefront.product", slug="scarf") == product
                assert url_for("storefront.product", slug="basket") == product.replace("scarf", "basket")
                assert url_for("static", filename="css/shop.css").split("?v=")[0] == static
                assert url_for("storefront.product", slug="scarf", _external=True) == f"{scheme}://shop.example{product}"
                assert url_for("storefront.catalogue", page=2) == product.replace("/scarf", "") + "?page=2"


def test_templates_follow_a_forced_language_inside_a_request(app):
    """Templates' gettext keeps the catalogue beside its locale: force_locale (as e-mails in the
    customer's language use) switches it, and the page's own language comes back after."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/products"):
        assert render_template_string("{{ _('Cart') }}") == "ตะกร้าสินค้า"
        with force_locale("en"):
            assert render_template_string("{{ _('Cart') }}") == "Cart"
        assert render_template_string("{{ _('Cart') }}") == "ตะกร้าสินค้า"


def test_the_layouts_shared_parts_are_made_once_per_language_and_stay_in_it(app, shop, monkeypatch):
    """The head's links, the menu's links and the footer are rendered once per worker for each
    language, then reused: each language's pages keep their own words and their own addresses."""
    import shop.i18n as i18n

    made = []
    real = i18n.render_template
    monkeypatch.setattr(i18n, "render_template", lambda name: made.append(name) or real(name))
    app.extensions.pop("shared_parts", None)
    pages = {path: text(app.test_client().get(path)) for path in
             ["/products/leaf-cloth", "/products", "/en/products/leaf-cloth", "/en/products", "/en/account/sign-in"]}
    assert sorted(made) == sorted(["layout/head_links.html", "layout/nav_links.html", "layout/footer.html"] * 2)
    for path, page in pages.items():
        english = path.startswith("/en")
        assert ('href="/en/cart"' in page) is english and ('href="/cart"' in page) is not english, path
        assert ("Shipping and returns" in page) is english, path
        assert 'rel="stylesheet" href="/static/css/shop.css?v=' in page  # files have one address for both
    assert "การจัดส่งและการคืนสินค้า" in pages["/products"]


def test_a_signed_in_visitor_still_gets_their_own_menu_around_the_shared_links(app, shop):
    from tests.web.helpers import make_user, signed_in

    make_user("buyer@example.com", "customer")
    client = signed_in(app, "buyer@example.com")
    page = text(client.get("/en/products/leaf-cloth"))
    assert 'href="/en/account/orders"' in page and "Sign out" in page and 'href="/en/cart"' in page
    assert 'href="/en/account/sign-in"' not in page


def test_a_routes_match_is_remembered_per_address_and_method(app, shop, monkeypatch):
    """The router runs once per method and address in a worker; a 404 is matched every time, and
    each request gets its own view arguments."""
    from werkzeug.routing import MapAdapter

    matched = []
    real = MapAdapter.match
    monkeypatch.setattr(MapAdapter, "match", lambda self, *a, **k: matched.append(self.path_info) or real(self, *a, **k))
    app.route_matches.clear()
    client = app.test_client()
    for _ in range(3):
        assert client.post("/products/leaf-cloth/quantity", data={}).status_code in (200, 303, 400)
        assert client.get("/en/no-such-page").status_code == 404
    assert matched.count("/products/leaf-cloth/quantity") == 1
    assert matched.count("/no-such-page") == 1 + 3  # the early path remembers "not a page"; Flask asks each time
    with app.test_request_context("/products/leaf-cloth"):
        from flask import request

        request.view_args["slug"] = "changed"
    with app.test_request_context("/products/leaf-cloth"):
        assert request.view_args == {"slug": "leaf-cloth"}


def test_a_junk_address_is_matched_but_not_remembered(app, shop):
    """A long junk slug still gets its 404, and neither route memo keeps it (a memo of such
    addresses would hold kilobytes each)."""
    junk = "/products/" + "x" * 3000
    app.route_matches.clear()
    early = app.extensions["early_pages"]
    early.routes.clear()
    assert app.test_client().get(junk).status_code == 404
    assert app.test_client().get("/products/leaf-cloth").status_code == 200
    assert [key[5] for key in app.route_matches] == ["/products/leaf-cloth"]
    assert [address[2] for address in early.routes] == ["/products/leaf-cloth"]
