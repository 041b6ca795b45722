"""The reports area, its CSV and the JSON API: right figures, and nothing for whoever may not see them."""
import re

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.services.sales import offline, reports
from tests.factories import make_centre
from tests.web.helpers import csrf_token, signed_in
from tests.web.helpers import make_user as user


@pytest.fixture
def figures(app):
    from datetime import date

    surat = make_centre("surat-thani", province_code="84", province_th="สุราษฎร์ธานี", province_en="Surat Thani", region="south")
    lampang = make_centre("lampang", province_code="52", province_th="ลำปาง", province_en="Lampang", region="north")
    admin = user("admin@tla.example", "admin")
    user("surat@staff.example", "staff", surat)
    offline.record_offline_sale(admin, surat.id, date(2026, 3, 30), "fair", 350000, [])
    offline.record_offline_sale(admin, lampang.id, date(2026, 4, 2), "department_store", 120000, [])
    return {"surat": surat, "lampang": lampang, "admin": admin}


def test_admins_see_programme_totals_by_region_province_centre_and_channel(app, figures):
    page = signed_in(app, "admin@tla.example").get("/reports/?from=2026-01-01&to=2026-11-25").get_data(as_text=True)
    assert 'id="total-revenue">฿4,700<' in page
    assert "ภาคใต้" in page and "ภาคเหนือ" in page and "ลำปาง" in page
    assert "งานแสดงสินค้าหรือนิทรรศการ" in page and "ห้างสรรพสินค้า" in page  # channels by their Thai names
    assert "chart.umd.min.js" in page and 'data-chart="by-province"' in page


def test_staff_see_only_their_own_centre(app, figures):
    staff = signed_in(app, "surat@staff.example")
    page = staff.get("/reports/").get_data(as_text=True)
    assert 'id="total-revenue">฿3,500<' in page and "ลำปาง" not in page
    assert staff.get("/reports/?centre=lampang").status_code == 403
    assert "120000" not in staff.get("/reports/centre.csv?centre=lampang").get_data(as_text=True)


@pytest.mark.parametrize("query", ["from=2026-05-01&to=2026-01-01", "from=yesterday", "to=9999-01-01", "from=1700-01-01",
                                   "centre=atlantis", "from=" + "9" * 500])
def test_absurd_report_parameters_get_a_clear_400(app, figures, query):
    response = signed_in(app, "admin@tla.example").get("/reports/?" + query)
    assert response.status_code == 400
    assert "ไม่" in response.get_data(as_text=True) or "Please" in response.get_data(as_text=True)


def test_every_table_exports_as_csv(app, figures):
    admin = signed_in(app, "admin@tla.example")
    body = admin.get("/reports/province.csv?from=2026-01-01").get_data(as_text=True)
    assert body.splitlines()[0].lstrip("\ufeff") == "รหัส,จังหวัด,รายได้ (บาท),จำนวนชิ้น,ค่าจัดส่ง (บาท),คำสั่งซื้อ"
    assert "84,สุราษฎร์ธานี,3500.00," in body
    for group in reports.GROUPS:
        assert admin.get(f"/reports/{group}.csv").status_code == 200
    assert admin.get("/reports/nothing.csv").status_code == 404


def test_customers_and_visitors_see_no_reports(app, figures):
    assert app.test_client().get("/reports/").status_code == 302
    user("c@example.com", "customer")
    assert signed_in(app, "c@example.com").get("/reports/").status_code == 403


def make_token(app) -> str:
    admin = signed_in(app, "admin@tla.example")
    response = admin.post("/reports/tokens", data={"csrf_token": csrf_token(admin, "/reports/"), "name": "spreadsheet"})
    assert response.status_code == 303
    page = admin.get("/reports/").get_data(as_text=True)
    return re.search(r"(rl_[A-Za-z0-9_-]{20,})", page).group(1)


def test_the_api_gives_the_same_figures_with_an_admin_token(app, figures):
    token = make_token(app)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    totals = api.get("/api/v1/totals?from=2026-01-01&to=2026-11-25", headers=headers).get_json()
    assert totals["total"]["revenue_satang"] == 470000
    rows = api.get("/api/v1/breakdown/region?from=2026-01-01", headers=headers).get_json()["rows"]
    assert {r["key"]: r["revenue_satang"] for r in rows} == {"north": 120000, "south": 350000}
    assert api.get("/api/v1/breakdown/region?from=2026-05-01&to=2026-01-01", headers=headers).status_code == 400
    assert api.get("/api/v1/breakdown/planets", headers=headers).status_code == 404
    assert api.get("/api/v1/totals?centre=atlantis", headers=headers).status_code == 400


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer rl_forged", "Basic abc", "Bearer " + "x" * 5000])
def test_the_api_refuses_missing_and_bad_tokens(app, figures, header):
    response = app.test_client().get("/api/v1/totals", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert "revenue_satang" not in response.get_data(as_text=True)


def test_staff_cannot_make_api_tokens(app, figures):
    staff = signed_in(app, "surat@staff.example")
    assert staff.post("/reports/tokens", data={"csrf_token": csrf_token(staff, "/reports/"), "name": "x"}).status_code == 403


def test_the_openapi_document_is_served_and_describes_the_endpoints(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/totals", "/api/v1/breakdown/{group}"} <= set(document["paths"])


def test_baselines_import_through_the_back_office_lists_every_bad_row(app, figures):
    import io

    admin = signed_in(app, "admin@tla.example")
    token = csrf_token(admin, "/backoffice/offline-sales")
    bad = b"centre,year,amount_baht\nsurat-thani,2021,250000\natlantis,2021,5\nlampang,21,5\n"
    response = admin.post("/backoffice/baselines", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(bad), "baselines.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "atlantis" in page and "ปีต้องเป็นปีคริสต์ศักราช เช่น 2021" in page
    query = reports.parse_query(figures["admin"], "2020-01-01", "2026-11-25", None, __import__("datetime").date(2026, 11, 25))
    assert reports.totals(query).revenue_satang == 470000  # nothing imported
    good = b"centre,year,amount_baht\nsurat-thani,2021,250000\n"
    admin.post("/backoffice/baselines", content_type="multipart/form-data",
               data={"csrf_token": token, "file": (io.BytesIO(good), "baselines.csv")})
    db.session.rollback()
    assert reports.totals(query).revenue_satang == 470000 + 25_000_000


def test_staff_record_an_offline_sale_for_their_own_centre_only(app, figures):
    staff = signed_in(app, "surat@staff.example")
    token = csrf_token(staff, "/backoffice/offline-sales")
    staff.post("/backoffice/offline-sales", data={"csrf_token": token, "day": "2026-05-01", "channel": "workshop",
                                                  "amount": "890", "centre_id": str(figures["lampang"].id)})
    db.session.rollback()
    from shop.models import OfflineSale

    sale = db.session.scalar(select(OfflineSale).order_by(OfflineSale.id.desc()))
    assert sale.centre_id == figures["surat"].id and sale.amount_satang == 89000  # the form cannot pick another centre
