"""Two app servers sharing Redis and one database never show each other stale catalogue pages."""
import pytest
import redis

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db
from shop.models import Variant
from tests.conftest import IN_CI, IsolatedClient
from tests.factories import make_product
from tests.web.helpers import CSRF

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}", pytrace=False)
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    yield REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()


def server(backend, tmp_path, redis_url, name):
    config = TestConfig(backend, str(tmp_path / name))
    config.REDIS_URL = redis_url
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def test_servers_share_the_cache_and_see_each_others_changes(app, backend, tmp_path, redis_url):
    product = make_product(slug="scarf", prices=(45000,))
    first = server(backend, tmp_path, redis_url, "a")
    second = server(backend, tmp_path, redis_url, "b")
    assert "฿450" in first.test_client().get("/products/scarf").get_data(as_text=True)
    shared = redis.Redis.from_url(redis_url)
    assert shared.keys("relearn:page:*"), "the page was kept in Redis"
    assert not shared.keys("relearn:frag:*"), "and not its fragment too: visitors without a cart get the page"
    with_a_cart = first.test_client()
    with_a_cart.post("/cart/add", data={"variant_id": product.variants[0].id, "quantity": "1",
                                        "csrf_token": CSRF.search(with_a_cart.get("/products/scarf").get_data(as_text=True)).group(1)})
    assert "฿450" in with_a_cart.get("/products/scarf").get_data(as_text=True)
    assert shared.keys("relearn:frag:product:*"), "a visitor with a cart (a page of their own) gets the kept fragment"

    # a change committed through any server (here: the test's own session)...
    variant = db.session.get(Variant, product.variants[0].id)
    variant.price_satang = 39000
    db.session.commit()
    # ...is what every server shows next
    for shop in (first, second):
        page = shop.test_client().get("/products/scarf").get_data(as_text=True)
        assert "฿390" in page and "฿450" not in page
    for shop in (first, second):
        with shop.app_context():
            db.engine.dispose()


def test_sessions_are_signed_cookies_that_any_server_reads(app, backend, tmp_path, redis_url):
    first = server(backend, tmp_path, redis_url, "a")
    second = server(backend, tmp_path, redis_url, "b")
    second.config["SECRET_KEY"] = first.config["SECRET_KEY"]
    one = first.test_client()
    one.get("/language/en")
    cookie = one.get_cookie("session")
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    assert '<html lang="en">' in other.get("/products", follow_redirects=True).get_data(as_text=True)
    for shop in (first, second):
        with shop.app_context():
            db.engine.dispose()


def test_a_stock_change_between_two_requests_to_different_servers_shows_at_once(app, backend, tmp_path, redis_url):
    from shop.models import User
    from shop.services.catalog import admin

    staff = User(email="admin@tla.example", name="admin", role="admin")
    staff.set_password("x" * 12)
    db.session.add(staff)
    db.session.commit()
    scarf = make_product(slug="scarf", stock=5)
    make_product(slug="basket", stock=5)
    first = server(backend, tmp_path, redis_url, "a")
    second = server(backend, tmp_path, redis_url, "b")
    second.config["SECRET_KEY"] = first.config["SECRET_KEY"]
    visitor = first.test_client()
    basket = visitor.get("/products/basket")
    assert "มีสินค้า" in first.test_client().get("/products/scarf").get_data(as_text=True)

    listing = visitor.get("/products")
    # a count that leaves units to sell, between a request to one server and the next to the
    # other: the product's page shows it at once, the catalogue (no card changed) stays cached
    admin.adjust_stock(staff, scarf.variants[0].id, -3, "count")
    assert "เหลือเพียง 2 ชิ้น" in second.test_client().get("/products/scarf").get_data(as_text=True)
    assert second.test_client().get("/products", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304
    # the stock runs out through the back office's own service, between a request to one server...
    admin.adjust_stock(staff, scarf.variants[0].id, -2, "count")
    # ...and the next, to the other: it shows at once
    page = second.test_client().get("/products/scarf").get_data(as_text=True)
    assert "สินค้าหมด" in page
    assert "สินค้าหมด" in second.test_client().get("/products").get_data(as_text=True)  # the lists moved
    # while the other product's page, cached by the first server, is still served from Redis
    same_visitor = second.test_client()
    same_visitor.set_cookie("session", visitor.get_cookie("session").value)
    again = same_visitor.get("/products/basket", headers={"If-None-Match": basket.headers["ETag"]})
    assert again.status_code == 304
    for shop in (first, second):
        with shop.app_context():
            db.engine.dispose()


def test_a_hot_page_is_kept_near_each_server_and_a_change_still_shows_at_once(app, backend, tmp_path, redis_url, monkeypatch):
    """With Redis, each server keeps its most used pages in its own memory: the second visit asks
    Redis for nothing, and a stock change (new versions, so new keys) shows at once on both."""
    from shop.extensions import cache
    from shop.models import User
    from shop.services.catalog import admin

    staff = User(email="admin@tla.example", name="admin", role="admin")
    staff.set_password("x" * 12)
    db.session.add(staff)
    db.session.commit()
    scarf = make_product(slug="scarf", stock=5)
    first, second = server(backend, tmp_path, redis_url, "a"), server(backend, tmp_path, redis_url, "b")
    second.config["SECRET_KEY"] = first.config["SECRET_KEY"]
    assert first.extensions["near_cache"].threshold == 200
    for shop in (first, second):
        assert "มีสินค้า" in shop.test_client().get("/products/scarf").get_data(as_text=True)

    asked: list[str] = []
    with first.app_context():
        shared = type(cache.cache)  # the servers' Redis cache
    assert "Redis" in shared.__name__
    real_get = shared.get
    monkeypatch.setattr(shared, "get", lambda self, key: asked.append(key) or real_get(self, key))
    for shop in (first, second):
        assert shop.test_client().get("/products/scarf").status_code == 200
    assert asked == []  # kept near each server: no Redis read

    admin.adjust_stock(staff, scarf.variants[0].id, -5, "count")
    for shop in (first, second):
        assert "สินค้าหมด" in shop.test_client().get("/products/scarf").get_data(as_text=True)
    for shop in (first, second):
        with shop.app_context():
            db.engine.dispose()
