"""One JSON line per request, with a request id sent back; never a password, token or address."""
from __future__ import annotations

import json
import logging

import pytest

from shop.ops.logs import JsonFormatter
from tests.factories import make_product
from tests.ops.helpers import PASSWORD, make_user
from tests.web.helpers import csrf_token


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="shop")

    def lines() -> list[dict]:
        return [json.loads(JsonFormatter().format(r)) for r in caplog.records if getattr(r, "event", None) == "request"]

    return lines


def test_each_request_logs_one_json_line_and_sends_its_id_back(client, request_lines):
    response = client.get("/healthz")
    [line] = request_lines()
    assert response.headers["X-Request-ID"] == line["request_id"]
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["endpoint"] == "storefront.healthz" and line["duration_ms"] >= 0 and line["user_id"] is None
    assert line["level"] == "info" and line["time"].endswith("+00:00")


def test_a_sane_incoming_request_id_is_kept_and_a_strange_one_replaced(client, request_lines):
    kept = client.get("/healthz", headers={"X-Request-ID": "caddy-7f3a.42"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "x" * 300})
    injected = client.get("/healthz", headers={"X-Request-ID": '"}, {"admin": true'})
    assert kept.headers["X-Request-ID"] == "caddy-7f3a.42"
    assert replaced.headers["X-Request-ID"] != "x" * 300
    assert injected.headers["X-Request-ID"].isalnum()
    assert [line["request_id"] for line in request_lines()] == [r.headers["X-Request-ID"] for r in (kept, replaced, injected)]


def test_passwords_tokens_query_strings_and_addresses_never_reach_the_log(app, client, request_lines, caplog):
    make_user("admin@example.com")
    token = csrf_token(client)
    client.post("/account/sign-in", data={"csrf_token": token, "email": "admin@example.com", "password": PASSWORD})
    client.get("/account/reset/SECRET-RESET-TOKEN-123")
    client.get("/orders/RL-000000-0000?key=SECRET-ORDER-KEY")
    client.get("/products?q=1346+ถนนอัครเทศ")
    text = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for secret in (PASSWORD, "SECRET-RESET-TOKEN-123", "SECRET-ORDER-KEY", "อัครเทศ", token):
        assert secret not in text
    paths = [line["path"] for line in request_lines()]
    assert "/account/reset/[masked]" in paths and "/orders/RL-000000-0000" in paths and "/products" in paths


def test_the_signed_in_users_id_is_logged(app, client, request_lines):
    admin = make_user("admin@example.com")
    token = csrf_token(client)
    client.post("/account/sign-in", data={"csrf_token": token, "email": "admin@example.com", "password": PASSWORD})
    make_product(slug="scarf")
    client.get("/backoffice/")
    assert request_lines()[-1]["user_id"] == admin.id


def test_errors_are_logged_as_json_with_the_request_id(app, client, caplog):
    caplog.set_level(logging.INFO, logger="shop")

    @app.get("/boom-for-the-log")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom-for-the-log")
    assert response.status_code == 500
    [error] = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.levelno == logging.ERROR]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: kaboom" in error["exception"]
