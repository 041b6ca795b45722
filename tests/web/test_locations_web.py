"""The back office's locations: forms for places, transfers, the quick sale, the day and consignment."""
import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import BoothSale, ConsignmentReport, Location, LocationStock, StockMovement, Variant
from shop.services.locations import places
from tests.factories import make_centre, make_product
from tests.pdftext import assert_says
from tests.web.helpers import csrf_token, flashed
from tests.web.test_backoffice import make_user, sign_in


@pytest.fixture
def shop(app):
    surat = make_centre("surat", province_code="84", region="south")
    yala = make_centre("yala", province_code="95", region="south")
    scarf = make_product(surat, slug="leaf-scarf", name_th="ผ้าพันคอพิมพ์ใบไม้", name_en="Leaf-print scarf", prices=(39000,), stock=20)
    batik = make_product(yala, slug="batik", prices=(50000,), stock=5)
    staff = make_user("surat@staff.example", "staff", surat)
    make_user("yala@staff.example", "staff", yala)
    fair = places.create_location(staff, None, places.LocationDetails(kind="fair", name_th="งานเที่ยวเมืองไทย",
                                                                      name_en="Tourism fair"))
    store = places.create_location(staff, None, places.LocationDetails(kind="consignment", name_th="ห้างทดสอบ",
                                                                       commission_bp=2000))
    return {"scarf": scarf.variants[0], "batik": batik.variants[0], "fair": fair, "store": store}


def post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **data})


def units_at(location, variant):
    db.session.rollback()
    return db.session.scalar(select(LocationStock.on_hand).where(LocationStock.location_id == location.id,
                                                                LocationStock.variant_id == variant.id)) or 0


def move(client, shop, units, location=None):
    location = location or shop["fair"]
    url = f"/backoffice/locations/{location.id}"
    return post(client, url + "/transfer", {"transfer-from_place": "home", "transfer-to_place": str(location.id),
                                            "transfer-sku-1": shop["scarf"].sku, "transfer-qty-1": str(units),
                                            "transfer-note": "สำหรับงานแฟร์"}, page=url)


def review(client, shop, units, method):
    url = f"/backoffice/locations/{shop['fair'].id}/sell"
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page) or re.search(r'id="key" name="key" type="hidden" value="([^"]+)"', page)
    key = key or re.search(r'name="key"[^>]*value="([^"]+)"', page)
    return post(client, url, {"key": key.group(1), f"qty-{shop['scarf'].id}": str(units), "payment_method": method})


def confirm(client, shop, review_page):
    page = review_page.get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="(payment_method|key|lines)"[^>]*value="([^"]*)"', page))
    if len(fields) < 3:
        fields = {name: value for value, name in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="(payment_method|key|lines)"', page)} | fields
    return post(client, f"/backoffice/locations/{shop['fair'].id}/sell/confirm", fields, page=f"/backoffice/locations/{shop['fair'].id}/sell")


def test_staff_add_a_location_with_the_form_and_see_it_listed(client, shop):
    sign_in(client, "surat@staff.example")
    response = post(client, "/backoffice/locations", {"kind": "partner_shop", "name_th": "ร้านพันธมิตร", "name_en": "Partner shop",
                                                      "place": "ถนนตลาดใหม่", "commission": "0", "active": "y"})
    assert response.status_code == 303 and "ร้านพันธมิตร" in flashed(client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count(Location.id))) == 3
    response = post(client, "/backoffice/locations", {"kind": "fair", "name_th": "", "commission": "120"})
    assert response.status_code == 303
    messages = flashed(client.get("/backoffice/locations"))
    assert messages and "500" not in messages
    assert db.session.scalar(select(func.count(Location.id))) == 3


def test_moving_stock_by_form_then_selling_by_cash_and_promptpay_is_recorded_once(client, shop):
    sign_in(client, "surat@staff.example")
    assert move(client, shop, 10).status_code == 303
    assert units_at(shop["fair"], shop["scarf"]) == 10
    listing = client.get("/backoffice/locations").get_data(as_text=True)
    assert re.search(r"งานเที่ยวเมืองไทย</a></td>\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>10</td>", listing)
    cash = review(client, shop, 2, "cash")
    assert cash.status_code == 200 and "฿780" in cash.get_data(as_text=True)
    assert db.session.scalar(select(func.count(BoothSale.id))) == 0  # not until staff confirm
    done = confirm(client, shop, cash)
    assert done.status_code == 303 and "/backoffice/booth-sales/" in done.headers["Location"]
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "BR25" in receipt and "เจ็ดร้อยแปดสิบบาทถ้วน" in receipt
    pdf = client.get(done.headers["Location"] + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert_says(pdf.data, "เจ็ดร้อยแปดสิบบาทถ้วน", "ใบเสร็จรับเงิน", "ผ้าพันคอพิมพ์ใบไม้", "เงินสด")
    again = confirm(client, shop, cash)  # the weak connection sends it again
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(BoothSale.id))) == 1 and units_at(shop["fair"], shop["scarf"]) == 8
    promptpay = review(client, shop, 1, "promptpay")
    page = promptpay.get_data(as_text=True)
    assert 'id="promptpay-qr"' in page and "data:image/svg+xml" in page and "฿390" in page
    confirm(client, shop, promptpay)
    assert units_at(shop["fair"], shop["scarf"]) == 7
    db.session.rollback()
    assert db.session.get(Variant, shop["scarf"].id).stock_on_hand == 10
    day = client.get(f"/backoffice/locations/{shop['fair'].id}/day").get_data(as_text=True)
    assert re.search(r'id="cash-expected">฿780', day) and re.search(r'id="promptpay-received">฿390', day)
    assert re.search(r'id="units-sold">3<', day)
    url = f"/backoffice/locations/{shop['fair'].id}/day"
    for junk in ("2026-02-30", "２０２６-01-01", "yesterday", "2026-1-1"):
        response = client.get(url, query_string={"day": junk})
        assert response.status_code == 200 and flashed(response), junk
    assert "฿0" in client.get(url, query_string={"day": "2025-01-01"}).get_data(as_text=True)
    closed = post(client, url, {"counted": "780"})
    assert closed.status_code == 303 and flashed(client.get(closed.headers["Location"]))


def test_bad_quick_sale_input_is_refused_with_a_message_and_nothing_changes(client, shop):
    sign_in(client, "surat@staff.example")
    move(client, shop, 2)
    for units in ("abc", "3", "-1"):
        response = review(client, shop, units, "cash")
        assert response.status_code == 303, units
        assert flashed(client.get(response.headers["Location"])), units
    url = f"/backoffice/locations/{shop['fair'].id}/sell/confirm"
    tampered = post(client, url, {"payment_method": "cash", "key": "k" * 20, "lines": "x:y"}, page=f"/backoffice/locations/{shop['fair'].id}/sell")
    assert tampered.status_code == 303 and flashed(client.get(tampered.headers["Location"]))
    too_many = post(client, url, {"payment_method": "cash", "key": "k" * 20, "lines": f"{shop['scarf'].id}:5"},
                    page=f"/backoffice/locations/{shop['fair'].id}/sell")
    assert too_many.status_code == 303 and "ผ้าพันคอพิมพ์ใบไม้" in flashed(client.get(too_many.headers["Location"]))
    assert db.session.scalar(select(func.count(BoothSale.id))) == 0 and units_at(shop["fair"], shop["scarf"]) == 2
    refused = move(client, shop, 99)
    assert "ผ้าพันคอพิมพ์ใบไม้" in flashed(client.get(refused.headers["Location"]))


def test_a_consignment_report_by_form_shows_what_the_store_owes(client, shop):
    sign_in(client, "surat@staff.example")
    move(client, shop, 5, location=shop["store"])
    url = f"/backoffice/locations/{shop['store'].id}/consignment"
    response = post(client, url, {"period_start": "2026-04-01", "period_end": "2026-04-30", "sku-1": shop["scarf"].sku, "qty-1": "3"})
    assert response.status_code == 303
    assert "฿936" in flashed(client.get(url))  # 3 × ฿390 = ฿1,170 less 20%
    report = db.session.scalar(select(ConsignmentReport))
    assert (report.gross_satang, report.commission_satang, report.owed_satang) == (117000, 23400, 93600)
    page = client.get(url).get_data(as_text=True)
    assert "฿1,170" in page and "฿234" in page
    count = post(client, f"/backoffice/locations/{shop['store'].id}/count", {"count-sku-1": shop["scarf"].sku, "count-qty-1": "1",
                                                                             "count-reason": "นับกับห้าง"},
                 page=f"/backoffice/locations/{shop['store'].id}")
    assert count.status_code == 303 and units_at(shop["store"], shop["scarf"]) == 1
    assert db.session.scalar(select(func.count(StockMovement.id)).where(StockMovement.reason == "count")) == 1


def test_another_centres_staff_reach_none_of_these_pages(client, shop):
    sign_in(client, "yala@staff.example")
    fair = shop["fair"].id
    for url in (f"/backoffice/locations/{fair}", f"/backoffice/locations/{fair}/sell", f"/backoffice/locations/{fair}/day",
                f"/backoffice/locations/{fair}/consignment"):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, "/backoffice/locations")
    assert client.post(f"/backoffice/locations/{fair}/transfer", data={"csrf_token": token}).status_code == 404
    assert "งานเที่ยวเมืองไทย" not in client.get("/backoffice/locations").get_data(as_text=True)


def test_the_pages_speak_english_under_en_and_every_form_has_a_token(client, shop):
    sign_in(client, "surat@staff.example")
    move(client, shop, 3)
    for url in ("/en/backoffice/locations", f"/en/backoffice/locations/{shop['fair'].id}", f"/en/backoffice/locations/{shop['fair'].id}/sell",
                f"/en/backoffice/locations/{shop['fair'].id}/day", f"/en/backoffice/locations/{shop['store'].id}/consignment"):
        page = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in page, url
        assert page.count('method="post"') == len(re.findall(r'name="([a-z]+-)?csrf_token"', page)), url
    assert "Quick sale" in client.get(f"/en/backoffice/locations/{shop['fair'].id}/sell").get_data(as_text=True)
