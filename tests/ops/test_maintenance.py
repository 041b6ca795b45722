"""Maintenance mode: an admin closes the storefront; the back office, sign-in and health stay open."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db
from shop.models import AuditEntry
from shop.services import maintenance
from tests.conftest import IsolatedClient
from tests.factories import make_centre, make_product
from tests.ops.helpers import make_user, sign_in
from tests.web.helpers import csrf_token


def switch(client, wanted: str):
    token = csrf_token(client, "/backoffice/maintenance")
    return client.post("/backoffice/maintenance", data={"csrf_token": token, "maintenance": wanted})


@pytest.fixture
def admin_client(app):
    make_user("admin@example.com")
    return sign_in(app.test_client(), "admin@example.com")


def test_an_admin_closes_the_storefront_with_a_friendly_503(app, client, admin_client):
    make_product(slug="scarf")
    assert client.get("/products/scarf").status_code == 200
    response = switch(admin_client, "on")
    assert response.status_code == 303
    assert "โหมดปิดปรับปรุงเปิดอยู่" in admin_client.get("/backoffice/maintenance").get_data(as_text=True)
    for path in ("/", "/products", "/products/scarf", "/cart", "/account/register"):
        closed = client.get(path)
        assert closed.status_code == 503, path
        assert closed.headers["Retry-After"] == "600"
        page = closed.get_data(as_text=True)
        assert "ปิดปรับปรุงชั่วคราว" in page and "Closed for a short while" in page
    token = csrf_token(client)  # sign-in stays open, so a buyer's form still carries a token
    assert client.post("/cart/add", data={"csrf_token": token, "variant_id": "1"}).status_code == 503


def test_the_back_office_sign_in_health_and_webhooks_stay_open(app, client, admin_client):
    switch(admin_client, "on")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/account/sign-in").status_code == 200
    assert client.get("/static/css/shop.css").status_code == 200
    assert client.post("/webhooks/stripe", data=b"{}").status_code != 503
    assert admin_client.get("/backoffice/").status_code == 200
    assert admin_client.get("/").status_code == 200  # admins check the shop before opening it


def test_opening_again_serves_the_shop(app, client, admin_client):
    switch(admin_client, "on")
    assert client.get("/").status_code == 503
    response = switch(admin_client, "off")
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["maintenance.on", "maintenance.off"]


def test_every_server_sees_the_switch(app, backend, tmp_path, admin_client):
    config = TestConfig(backend, str(tmp_path / "second"))
    config.MAINTENANCE_CHECK_SECONDS = 0
    second = create_app(config)
    second.test_client_class = IsolatedClient
    assert second.test_client().get("/").status_code == 200
    switch(admin_client, "on")
    assert second.test_client().get("/").status_code == 503


def test_centre_staff_cannot_switch_maintenance(app, client):
    centre = make_centre()
    db.session.commit()
    make_user("staff@example.com", role="staff", centre=centre)
    staff = sign_in(app.test_client(), "staff@example.com")
    assert staff.get("/backoffice/maintenance").status_code == 403
    token = csrf_token(staff, "/backoffice/")
    assert staff.post("/backoffice/maintenance", data={"csrf_token": token, "maintenance": "on"}).status_code == 403
    assert maintenance.read_switch() is False


def test_a_forged_or_odd_switch_request_changes_nothing(app, admin_client):
    assert admin_client.post("/backoffice/maintenance", data={"maintenance": "on"}).status_code == 400
    token = csrf_token(admin_client, "/backoffice/maintenance")
    assert admin_client.post("/backoffice/maintenance", data={"csrf_token": token, "maintenance": "maybe"}).status_code == 400
    assert maintenance.read_switch() is False
