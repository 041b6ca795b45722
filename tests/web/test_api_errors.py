"""/api/v1 answers odd requests as its OpenAPI document says (found by tests/web/test_api_schema.py)."""
from datetime import UTC, datetime, timedelta

import pytest

from shop.extensions import db
from shop.models import User
from shop.services.people import api_tokens
from shop.services.sales import reports
from shop.services.thai import to_bangkok
from tests.factories import make_centre


@pytest.fixture
def api(app):
    make_centre("surat-thani")
    admin = User(email="admin@tla.example", name="Admin", role="admin")
    admin.set_password("admin password 1")
    db.session.add(admin)
    db.session.commit()
    token = api_tokens.create_token(admin, "test")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def bangkok_today():
    return to_bangkok(datetime.now(UTC)).date()


@pytest.mark.parametrize("query", ["to=", "from=", "centre=", "from=2026-01-01&to="])
def test_an_empty_parameter_is_refused_with_a_json_400(api, query):
    for path in ("/api/v1/totals", "/api/v1/breakdown/region"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert response.is_json and "empty" in response.get_json()["message"]


@pytest.mark.parametrize("day", ["20260101", "2026-W01-1", "2026-01-01\n", "2026-01-01T00:00", "２０２６-01-01", "2026-1-1", "2026-02-30"])
def test_only_a_real_day_written_yyyy_mm_dd_is_taken(api, day):
    response = api.get("/api/v1/totals", query_string={"from": day})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad Request"


def test_the_documented_date_range_is_enforced(api):
    today = bangkok_today()
    latest = (today + timedelta(days=reports.DAYS_AHEAD)).isoformat()
    assert api.get("/api/v1/totals?from=2000-01-01").status_code == 200
    assert api.get(f"/api/v1/totals?to={latest}").status_code == 200
    assert api.get("/api/v1/totals?from=1999-12-31").status_code == 400
    assert api.get(f"/api/v1/totals?to={(today + timedelta(days=reports.DAYS_AHEAD + 1)).isoformat()}").status_code == 400
    assert api.get("/api/v1/totals?from=2025-02-01&to=2025-01-31").status_code == 400
    message = api.get("/api/v1/totals?from=1999-12-31").get_json()["message"]
    assert message.startswith("Please choose a date range")  # in English, whatever the session's language


def test_the_openapi_document_states_the_date_range(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for name in ("from", "to"):
        parameter = document["components"]["parameters"][name]
        assert parameter["schema"]["format"] == "date" and parameter["schema"]["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        assert "2000-01-01" in parameter["description"] and f"{reports.DAYS_AHEAD} days after today" in parameter["description"]
        assert "leave it out" in parameter["description"]


def test_an_unknown_label_language_is_refused(api):
    assert api.get("/api/v1/breakdown/region?lang=en").status_code == 200
    assert api.get("/api/v1/breakdown/region?lang=xx").status_code == 400


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_method_the_api_does_not_take_gets_405_with_allow(api, method):
    for path in ("/api/v1/totals", "/api/v1/breakdown/region", "/api/v1/openapi.json"):
        response = api.open(path, method=method)
        assert response.status_code == 405, path
        assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}
        assert response.get_json()["error"] == "Method Not Allowed"


def test_a_page_of_the_shop_also_names_the_allowed_methods_on_a_405(client):
    response = client.get("/cart/add")
    assert response.status_code == 405
    assert "POST" in {m.strip() for m in response.headers["Allow"].split(",")}


def test_a_request_without_a_token_is_told_how_to_authenticate(app):
    response = app.test_client().get("/api/v1/totals")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
