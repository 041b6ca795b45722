"""Cached pages drop exactly when what they show changes, answer 304 without rendering, tell a
proxy how long it may keep them, come compressed once, and are answered before Flask."""
import gzip
import zlib

import pytest
import sqlalchemy as sa
from flask import template_rendered

from shop.compression import CSRF_PLACEHOLDER, CachedPage
from shop.extensions import db
from shop.models import CartItem, Centre, User, Variant
from shop.services.catalog import admin
from tests.factories import make_category, make_centre, make_product
from tests.web.helpers import CSRF, csrf_token


@pytest.fixture(autouse=True)
def same_half_hour(monkeypatch):
    """A product page's ETag also moves each half hour (its token's age): hold the clock still."""
    import shop.caching

    monkeypatch.setattr(shop.caching, "token_period", lambda: 1)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin_user(app):
    user = User(email="admin@tla.example", name="admin", role="admin")
    user.set_password("x" * 12)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def renders(app):
    """The templates Flask renders while the test runs."""
    seen: list[str] = []

    def record(sender, template, context, **extra):  # noqa: ARG001
        seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


@pytest.fixture
def flask_requests(app):
    """How many requests reached Flask's own machinery (the early path answers before it)."""
    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append("flask") and None)
    return seen


def etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["ETag"]


# --------------------------------------------------------------------------- narrow invalidation


def test_a_product_page_survives_a_stock_or_price_change_to_another_product(client, admin_user, renders):
    centre = make_centre("surat")
    scarf = make_product(centre, slug="scarf", prices=(45000,))
    other = make_product(centre, slug="basket", prices=(30000,))
    before = etag(client, "/products/scarf")
    admin.receive_stock(admin_user, other.variants[0].id, 4)
    variant = db.session.get(Variant, other.variants[0].id)
    variant.price_satang = 31000
    db.session.commit()
    renders.clear()
    response = client.get("/products/scarf")
    assert response.headers["ETag"] == before and renders == []  # served as cached, not rendered
    assert "฿310" in text(client.get("/products/basket"))
    assert scarf.id


def test_a_stock_change_drops_that_products_page_and_its_centre_and_the_lists_only_when_it_sells_out(client, admin_user):
    centre = make_centre("surat")
    scarf = make_product(centre, slug="scarf", stock=5)
    lists, own = ["/products", "/products?in_stock=1", "/"], ["/products/scarf", "/centres/surat"]
    before = {url: etag(client, url) for url in lists + own}
    admin.adjust_stock(admin_user, scarf.variants[0].id, -2, "count")  # 3 left: the cards look the same
    after = {url: etag(client, url) for url in lists + own}
    assert [url for url in lists + own if before[url] != after[url]] == own
    assert "เหลือเพียง 3 ชิ้น" in text(client.get("/products/scarf"))
    admin.adjust_stock(admin_user, scarf.variants[0].id, -3, "count")  # sold out: every card says so
    last = {url: etag(client, url) for url in lists + own}
    assert all(after[url] != last[url] for url in lists + own)
    assert "สินค้าหมด" in text(client.get("/products/scarf")) and "สินค้าหมด" in text(client.get("/products"))
    assert "scarf" not in text(client.get("/products?in_stock=1"))
    admin.receive_stock(admin_user, scarf.variants[0].id, 1)  # back in stock: the lists move again
    assert all(etag(client, url) != last[url] for url in lists)
    assert "/products/scarf" in text(client.get("/products?in_stock=1"))


def test_an_order_that_takes_the_last_units_to_sell_moves_the_lists_and_one_that_does_not_leaves_them(app, client):
    from shop.services.ordering import inventory

    product = make_product(slug="scarf", stock=3)
    variant_id = product.variants[0].id
    before = etag(client, "/products")
    inventory.reserve([(variant_id, 2)], order_id=None)
    db.session.commit()
    assert etag(client, "/products") == before  # one left to sell
    inventory.reserve([(variant_id, 1)], order_id=None)
    db.session.commit()
    held = etag(client, "/products")
    assert held != before and "สินค้าหมด" in text(client.get("/products"))
    inventory.release([(variant_id, 1)], order_id=None)  # the hold runs out: one to sell again
    db.session.commit()
    assert etag(client, "/products") != held and "สินค้าหมด" not in text(client.get("/products"))


def test_a_new_product_drops_the_lists_and_its_centre_page_but_not_other_pages(client):
    surat, nan, cloth = make_centre("surat"), make_centre("nan"), make_category("cloth")
    make_product(surat, cloth, slug="scarf")
    make_product(nan, cloth, slug="basket")
    pages = ["/products", "/", "/centres/surat", "/centres/nan", "/products/scarf", "/products/basket"]
    before = {url: etag(client, url) for url in pages}
    make_product(surat, cloth, slug="new-cloth", name_th="ผ้าใหม่ล่าสุด")
    after = {url: etag(client, url) for url in pages}
    changed = {url for url in pages if before[url] != after[url]}
    assert changed == {"/products", "/", "/centres/surat"}
    assert "ผ้าใหม่ล่าสุด" in text(client.get("/products")) and "ผ้าใหม่ล่าสุด" in text(client.get("/centres/surat"))


def test_a_change_to_a_centre_drops_every_page_that_shows_it(client):
    surat = make_centre("surat", name_th="ศูนย์สุราษฎร์เดิม")
    make_product(surat, slug="scarf")
    pages = ["/products/scarf", "/centres/surat", "/products", "/"]
    before = {url: etag(client, url) for url in pages}
    centre = db.session.get(Centre, surat.id)
    centre.name_th = "ศูนย์สุราษฎร์ใหม่"
    db.session.commit()
    assert all(etag(client, url) != before[url] for url in pages)
    page = text(client.get("/products/scarf"))
    assert "ศูนย์สุราษฎร์ใหม่" in page and "ศูนย์สุราษฎร์เดิม" not in page


def test_an_order_placed_and_rolled_back_moves_no_version(app, client):
    from shop.services.errors import OutOfStock
    from shop.services.ordering import inventory

    product = make_product(slug="scarf", stock=1)
    before = etag(client, "/products/scarf")
    with pytest.raises(OutOfStock):
        inventory.reserve([(product.variants[0].id, 2)], order_id=None)
    db.session.rollback()
    assert etag(client, "/products/scarf") == before


# --------------------------------------------------------------------------- HTTP caching


def test_an_unchanged_page_answers_304_without_rendering(app, renders):
    make_product(slug="scarf")
    for url in ["/products", "/products/scarf", "/centres/" + db.session.scalar(db.select(Centre.slug)), "/en/products"]:
        visitor = app.test_client()
        first = visitor.get(url)
        renders.clear()
        again = visitor.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"" and renders == [], url
        assert again.headers["ETag"] == first.headers["ETag"]


def test_a_changed_page_answers_200_to_an_old_etag(client, admin_user):
    product = make_product(slug="scarf", stock=5)
    old = etag(client, "/products/scarf")
    admin.receive_stock(admin_user, product.variants[0].id, 1)
    assert client.get("/products/scarf", headers={"If-None-Match": old}).status_code == 200


def test_anonymous_pages_may_be_kept_by_a_proxy_for_the_stated_time(app, client):
    make_product(slug="scarf")
    for url in ["/", "/products", "/products?page=1&sort=name", "/en/products"]:
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=10", url
        assert {v.strip() for v in response.headers["Vary"].split(",")} >= {"Cookie", "Accept-Encoding"}
        assert response.headers["ETag"].startswith('W/"')


def test_a_page_that_sets_the_session_cookie_is_never_kept_by_a_proxy(app):
    make_product(slug="scarf")
    for _ in range(2):  # rendered, then from the cache
        visitor = app.test_client()
        first = visitor.get("/products/scarf")
        assert "session=" in first.headers.get("Set-Cookie", "")
        assert first.headers["Cache-Control"] == "private, no-cache"
        # the same visitor again, with its cookie: nothing new to set, so shared caching is fine
        again = visitor.get("/products/scarf")
        assert "Set-Cookie" not in again.headers
        assert again.headers["Cache-Control"].startswith("public, max-age=0, s-maxage=")


def test_signed_in_and_personal_pages_are_never_stored(app, client, admin_user):
    make_product(slug="scarf")
    assert client.get("/cart").headers["Cache-Control"] == "no-store"
    client.post("/account/sign-in", data={"csrf_token": csrf_token(client), "email": admin_user.email, "password": "x" * 12})
    for url in ["/products", "/products/scarf", "/"]:
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers, url


# --------------------------------------------------------------------------- compressed once


def test_a_stitched_gzip_page_decompresses_to_the_page_with_the_token(app):
    body = ("<html>" + "ผ้าทอมือ " * 3000 + CSRF_PLACEHOLDER + "</form>" + "ตะกร้า " * 2000 + "</html>").encode()
    page = CachedPage.make(body, app)
    for token in [b"IjEyMyI.abc", b"x" * 70_000, b""]:
        expected = body.replace(CSRF_PLACEHOLDER.encode(), token)
        packed, encoding = page.body_for("gzip", token.decode, app)
        assert encoding == "gzip"
        assert gzip.decompress(packed) == expected
        assert zlib.decompress(packed, wbits=31) == expected  # one gzip member, not several
        assert len(packed) < len(expected) / 3 or len(token) > 1000


def test_a_product_page_is_deflated_once_and_each_visitor_gets_their_own_token(app, monkeypatch):
    import shop.compression as compression

    product = make_product(slug="scarf", description_th="ผ้าฝ้าย " * 300)
    calls = []
    real = compression.deflate_part
    monkeypatch.setattr(compression, "deflate_part", lambda data, level: calls.append(1) or real(data, level))
    plain = app.test_client().get("/products/scarf")  # cached by a client that takes no gzip: nothing deflated yet
    assert "Content-Encoding" not in plain.headers and CSRF.search(plain.get_data(as_text=True))
    assert calls == []
    pages = []
    for _ in range(3):
        visitor = app.test_client()
        response = visitor.get("/products/scarf", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert response.headers["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.get_data()).decode()
        token = CSRF.search(html).group(1)
        assert CSRF_PLACEHOLDER not in html
        added = visitor.post("/cart/add", data={"csrf_token": token, "variant_id": product.variants[0].id, "quantity": "1"})
        assert added.status_code == 303
        pages.append(html)
    assert len(calls) == 2  # the part before the token and the part after, once, for the first gzip client
    assert pages[0] != pages[1]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(CartItem.id))) == 3


def test_a_page_without_a_token_is_compressed_once_per_kind_of_client(app, compressions):
    make_product(slug="scarf")
    for _ in range(3):
        app.test_client().get("/products", headers={"Accept-Encoding": "br"})
        app.test_client().get("/products", headers={"Accept-Encoding": "gzip"})
    assert sorted(compressions) == ["br", "gzip"]


@pytest.fixture
def compressions(monkeypatch):
    import flask_compress.flask_compress as fc

    calls = []
    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda app, data, algorithm: calls.append(algorithm) or real(app, data, algorithm))
    return calls


# --------------------------------------------------------------------------- the early path


def test_cached_pages_are_answered_before_flask_for_anonymous_visitors(app, flask_requests):
    product = make_product(slug="scarf")
    app.test_client().get("/products/scarf")  # rendered and cached by Flask
    flask_requests.clear()
    visitor = app.test_client()
    page = visitor.get("/products/scarf")
    assert page.status_code == 200 and flask_requests == []
    for name in ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "X-Request-ID"]:
        assert name in page.headers
    # its form posts: the token was made for the session cookie it set
    token = CSRF.search(text(page)).group(1)
    added = visitor.post("/cart/add", data={"csrf_token": token, "variant_id": product.variants[0].id, "quantity": "1"})
    assert added.status_code == 303
    visitor.get("/cart")  # shows the "added" message
    # the same visitor, now with a cart in its session, goes to Flask, which counts the items for
    # the header, and gets the cached page kept for visitors with one item
    flask_requests.clear()
    again = visitor.get("/products/scarf")
    assert again.status_code == 200 and flask_requests == ["flask"]
    assert '<span class="cart-count">1</span>' in text(again)
    # a visitor without a cart is still answered early, with the count at 0
    flask_requests.clear()
    other = app.test_client().get("/products/scarf")
    assert flask_requests == [] and '<span class="cart-count">0</span>' in text(other)
    assert "Set-Cookie" not in app.test_client().get("/").headers


def test_the_early_path_leaves_signed_in_visitors_redirects_and_misses_to_flask(app, admin_user, flask_requests):
    make_product(slug="scarf")
    app.test_client().get("/products/scarf")
    english = app.test_client()
    english.get("/language/en")
    flask_requests.clear()
    assert english.get("/products/scarf").status_code == 302 and flask_requests  # to /en/products/scarf
    signed_in = app.test_client()
    signed_in.post("/account/sign-in", data={"csrf_token": csrf_token(signed_in), "email": admin_user.email, "password": "x" * 12})
    flask_requests.clear()
    assert signed_in.get("/products/scarf").headers["Cache-Control"] == "no-store" and flask_requests


def test_a_cached_page_costs_one_state_query(client, app, count_queries):
    make_product(slug="scarf")
    client.get("/products/scarf")
    client.get("/products")
    for url in ["/products/scarf", "/products"]:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        # PostgreSQL runs it on the worker's own autocommit connection, outside SQLAlchemy
        assert len(statements) == (0 if db.engine.dialect.name == "postgresql" else 1), statements


# --------------------------------------------------------------------------- the cold path


@pytest.mark.parametrize("options", [1, 6])
def test_an_uncached_product_page_runs_a_fixed_number_of_queries(client, app, count_queries, options):
    """However many options and photos, no query per row: the page costs the same few queries."""
    from shop.models import ProductImage

    app.config["FRAGMENT_CACHE"] = False
    product = make_product(slug="scarf", prices=tuple(10000 + i for i in range(options)))
    for i in range(options):
        db.session.add(ProductImage(product_id=product.id, filename=f"p{i}.jpg", thumb_filename=f"t{i}.jpg",
                                    width=800, height=600, position=i))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get("/products/scarf").status_code == 200
    # The state, then the product with its centre, category, maker group, options and photos as one
    # JSON document: on PostgreSQL both on the worker's own prepared connection, outside SQLAlchemy.
    assert len(statements) == (0 if db.engine.dialect.name == "postgresql" else 2), statements
    assert not [s for s in statements if "search_text" in s], statements  # a column the page never shows


def test_an_uncached_product_page_takes_no_pooled_connection_on_postgresql(client, app):
    """Its reads go through the prepared connection: nothing is checked out of the pool, set to
    autocommit and reset after, for a visitor without an account or a cart."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads through SQLAlchemy")
    make_product(slug="scarf")
    make_product(slug="shawl")
    db.session.commit()
    checkouts: list = []
    listener = lambda *args: checkouts.append(args)  # noqa: E731
    sa.event.listen(db.engine, "checkout", listener)
    try:
        assert client.get("/products/scarf").status_code == 200
        assert client.get("/en/products/shawl").status_code == 200
        assert client.get("/products").status_code == 200  # a list still reads through the ORM
    finally:
        sa.event.remove(db.engine, "checkout", listener)
    assert len(checkouts) == 1, checkouts


def test_an_uncached_page_reads_outside_a_transaction(client, app):
    """On PostgreSQL a page's render reads in autocommit: no BEGIN or ROLLBACK round trips."""
    import psycopg

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no round trips to save")
    app.config["FRAGMENT_CACHE"] = True
    make_product(slug="scarf")
    statuses: list = []

    def after(conn, cursor, statement, *args):  # noqa: ARG001
        statuses.append((statement.split()[0], cursor.connection.info.transaction_status))

    sa.event.listen(db.engine, "after_cursor_execute", after)
    try:
        assert client.get("/products/scarf").status_code == 200
        assert client.get("/products").status_code == 200
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after)
    assert statuses and all(status == psycopg.pq.TransactionStatus.IDLE for _, status in statuses), statuses


def test_catalogue_cards_load_only_the_columns_they_show(client, app, count_queries):
    app.config["FRAGMENT_CACHE"] = False
    make_product(slug="scarf", description_th="ผ้าฝ้าย " * 500)
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get("/products").status_code == 200
    product_query = next(s for s in statements if "FROM product" in s and "product.slug" in s and "product_image" in s)
    assert "description_th" not in product_query and "search_text" not in product_query.split("WHERE")[0]


def test_a_page_the_early_path_missed_is_not_looked_up_again_by_flask(app, monkeypatch):
    """On a miss the early path hands the key it looked under to Flask: one cache read, not two
    (with Redis, a round trip saved on every uncached page)."""
    from shop import caching

    make_product(slug="scarf")
    looked: list[str] = []
    real = caching.cache.get

    def get(key):
        looked.append(key)
        return real(key)

    monkeypatch.setattr(caching.cache, "get", get)
    client = app.test_client()
    assert client.get("/products/scarf").status_code == 200
    pages = [key for key in looked if key.startswith("page:")]
    assert len(pages) == 1, looked
    looked.clear()
    assert client.get("/products/scarf").status_code == 200  # and the page is kept: the next visit reads it once
    assert len([key for key in looked if key.startswith("page:")]) == 1


def test_the_early_paths_signers_write_what_flask_and_flask_wtf_write(app, monkeypatch):
    """The early path signs session cookies and CSRF tokens with kept keys and OpenSSL's HMAC:
    byte for byte what Flask's session interface and Flask-WTF make, and they read each other's."""
    import time as clock

    from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    monkeypatch.setattr(clock, "time", lambda: 1_790_000_000.0)
    early = app.extensions["early_pages"]
    with app.app_context():
        for _ in range(2):  # the second time with the keys kept
            ours, flasks = early.session_serializer(), SecureCookieSessionInterface().get_signing_serializer(app)
            assert ours is app.session_interface.get_signing_serializer(app)  # Flask's requests sign with it too
            payload = {"csrf_token": "a" * 40, "lang": "en"}
            assert ours.dumps(payload) == flasks.dumps(payload)
            assert flasks.loads(ours.dumps(payload)) == payload == ours.loads(flasks.dumps(payload))
            token = early.csrf_token({"csrf_token": "b" * 40}, [])
            assert token == URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("b" * 40)
            # A new visitor: a new secret in a new session, its cookie and token as Flask and Flask-WTF write them
            session, cookies = SecureCookieSession(), []
            token = early.csrf_token(session, cookies)
            secret = session["csrf_token"]
            assert token == URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(secret)
            assert cookies[0].startswith(f"session={flasks.dumps({'csrf_token': secret})};")
            assert flasks.loads(cookies[0].split(";")[0].removeprefix("session=")) == {"csrf_token": secret}


def test_a_payment_moves_the_programmes_figures_but_leaves_the_catalogue_cached(app, client, renders):
    """A paid order adds to the income on the home and programme pages; no catalogue card shows
    income, so the catalogue and the product's page stay as they were cached."""
    from shop.services.ordering import lifecycle
    from tests.factories import cart_with, place

    product = make_product(slug="scarf", prices=(45000,), stock=5)
    order = place(cart_with((product.variants[0].id, 1)))
    db.session.remove()
    import re

    def income(url: str) -> str:
        return re.search(r'data-figure="income">([^<]*)<', text(client.get(url))).group(1)

    pages = ["/products", "/products/scarf", "/", "/programme"]
    before = {url: etag(client, url) for url in pages}
    income_before = income("/programme")
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T-1", amount_satang=order.total_satang)
    db.session.remove()
    after = {url: etag(client, url) for url in pages}
    assert [url for url in pages if after[url] != before[url]] == ["/", "/programme"]
    assert income("/programme") != income_before and income("/") == income("/programme")


def test_the_token_flask_pages_get_is_flask_wtfs_own(app):
    """A page Flask renders gets its token from the early path's kept serializer: one token per
    request, the secret kept in the session, and exactly what flask-wtf makes and accepts."""
    from flask import session
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from itsdangerous import URLSafeTimedSerializer

    early = app.extensions["early_pages"]
    with app.test_request_context("/products"):
        token = early.flask_csrf_token()
        assert early.flask_csrf_token() == generate_csrf() == token
        validate_csrf(token)  # raises if flask-wtf would refuse it
        assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token) == session["csrf_token"]
        secret = session["csrf_token"]
    with app.test_request_context("/products"):
        session["csrf_token"] = secret  # the same visitor, a later request: a new token, the same secret
        again = early.flask_csrf_token()
        validate_csrf(again)
        assert session["csrf_token"] == secret
