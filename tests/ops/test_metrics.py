"""Prometheus metrics: guarded, per endpoint, and the business counters move with the business."""
from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from shop.models import Order
from shop.models._base import utcnow
from shop.services.ordering import lifecycle
from shop.services.payments import refunds as payment_refunds
from tests.factories import cart_with, make_product, place
from tests.ops.helpers import make_user
from tests.web.helpers import post_form

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_answer_localhost_or_the_token_and_nobody_else(app, client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1, straight in
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 404
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})  # Caddy on this machine
    assert proxied.status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-token-1234567890"
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer scrape-token-1234567890"}).status_code == 200


def test_request_rates_and_latencies_are_kept_per_endpoint(app, client):
    make_product(slug="scarf")
    for _ in range(3):
        client.get("/products/scarf")
    client.get("/healthz")
    samples = scrape(client)
    assert value(samples, "flask_http_request_duration_seconds_count", method="GET", endpoint="storefront.product", status="200") == 3
    assert value(samples, "flask_http_request_duration_seconds_count", method="GET", endpoint="storefront.healthz", status="200") == 1
    assert value(samples, "flask_http_request_total", method="GET", status="200") == 4  # scrapes are not counted


def test_business_counters_move_when_orders_are_placed_paid_refunded_and_expire(app, client):
    before = scrape(client)
    scarf = make_product(slug="scarf", prices=(45000,), stock=3)
    variant_id = scarf.variants[0].id
    paid = place(cart_with((variant_id, 1)))
    lifecycle.record_payment(paid.id, method="promptpay_transfer", reference="T-1", amount_satang=paid.total_satang)
    admin = make_user("admin@example.com")
    payment_refunds.refund(admin, paid.id, {paid.lines[0].id: 1}, [], restock=True, reason="damaged")
    place(cart_with((variant_id, 2)))  # never paid: its hold runs out
    assert lifecycle.expire_overdue_orders(now=utcnow() + timedelta(days=2)) == 1
    sold_out = post_form(client, "/cart/add", {"variant_id": str(variant_id), "quantity": "9"})
    assert sold_out.status_code == 303
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("shop_orders_placed_total", method="promptpay_transfer") == 2
    assert moved("shop_payments_confirmed_total", method="promptpay_transfer") == 1
    assert moved("shop_refunds_total", method="promptpay_transfer") == 1
    assert moved("shop_holds_expired_total") == 1
    assert moved("shop_stock_outs_total", where="cart") == 1
    assert Order.query.count() == 2
