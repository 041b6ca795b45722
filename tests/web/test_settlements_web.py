"""Settlement pages, document downloads and the tax-invoice request, through the test client."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Document, Order, Payout, Statement
from shop.models._base import utcnow
from shop.services.documents import issuing
from shop.services.ordering import checkout, lifecycle
from shop.services.sales.ledger import bangkok_day
from shop.services.settlements.periods import period_of
from tests.factories import cart_with, make_centre, make_product, place
from tests.pdftext import assert_says
from tests.web.helpers import ADDRESS, CSRF, flashed, post_form
from tests.web.helpers import checkout as check_out
from tests.web.test_backoffice import make_user, sign_in


@pytest.fixture
def world(app):
    surat = make_centre("surat", name_th="ศูนย์สุราษฎร์ธานี", name_en="Surat Thani centre")
    lampang = make_centre("lampang", name_th="ศูนย์ลำปาง", name_en="Lampang centre", province_code="52", region="north")
    cloth = make_product(surat, slug="cloth", name_th="ผ้าพิมพ์ใบไม้", prices=(65000,), stock=10)
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=10)
    order = place(cart_with((cloth.variants[0].id, 2), (rooster.variants[0].id, 1)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang, fee_satang=0)
    return {"surat": surat, "lampang": lampang, "order": db.session.get(Order, order.id),
            "start": period_of(bangkok_day(utcnow())).start.isoformat(),
            "staff_surat": make_user("surat@staff.example", "staff", surat),
            "staff_lampang": make_user("lampang@staff.example", "staff", lampang),
            "admin": make_user("admin@tla.example", "admin")}


def form_token(client, url) -> str:
    return CSRF.search(client.get(url).get_data(as_text=True)).group(1)


def test_an_admin_closes_the_month_records_a_payout_and_the_centres_staff_see_it(client, world):
    sign_in(client, "admin@tla.example")
    start, surat = world["start"], world["surat"].id
    page = client.get(f"/backoffice/settlements/{start}").get_data(as_text=True)
    assert "ศูนย์สุราษฎร์ธานี" in page and "฿1,300" in page and "ทุกสตางค์" in page
    response = client.post(f"/backoffice/settlements/{start}/close", data={"csrf_token": form_token(client, f"/backoffice/settlements/{start}")})
    assert response.status_code == 303 and "ปิดรอบแล้ว" in flashed(client.get(response.location))
    statement = db.session.scalar(select(Statement).where(Statement.centre_id == surat))
    assert statement.payable_satang == 130000  # ฿1,300 of cloth, shipped free above ฿1,000
    photo = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(photo, "JPEG")
    url = f"/backoffice/settlements/{start}/centres/{surat}"
    response = client.post(f"/backoffice/statements/{statement.id}/payouts", content_type="multipart/form-data", data={
        "csrf_token": form_token(client, url), "paid_on": "2026-12-05", "amount": "1,000", "bank_reference": "KTB-778",
        "proof": (io.BytesIO(photo.getvalue()), "slip.jpg")})
    assert response.status_code == 303
    assert "จ่ายแล้วบางส่วน" in client.get(url).get_data(as_text=True)
    payout = db.session.scalar(select(Payout))
    assert payout.amount_satang == 100000 and payout.proof_filename

    client.get("/account/sign-out")
    sign_in(client, "surat@staff.example")
    page = client.get(url).get_data(as_text=True)
    assert "KTB-778" in page and "฿1,300" in page
    assert client.get(f"/backoffice/payouts/{payout.id}/proof").status_code == 200
    assert client.get(f"/backoffice/settlements/{start}").status_code == 303  # staff go to their own statement
    assert client.get(f"/backoffice/settlements/{start}/centres/{world['lampang'].id}").status_code == 404
    assert client.get(f"/backoffice/settlements/{start}/centres/{world['lampang'].id}/statement.csv").status_code == 404
    csv_text = client.get(url + "/statement.csv").get_data(as_text=True)
    assert world["order"].number in csv_text and "payable,1300.00" in csv_text
    assert client.post(f"/backoffice/statements/{statement.id}/payouts", data={"csrf_token": form_token(client, url)}).status_code == 403

    client.get("/account/sign-out")
    sign_in(client, "lampang@staff.example")
    assert client.get(f"/backoffice/payouts/{payout.id}/proof").status_code == 404
    assert "KTB-778" not in client.get(f"/backoffice/settlements/{start}/centres/{world['lampang'].id}").get_data(as_text=True)


def test_the_statement_pdf_in_thai_and_english(client, world):
    sign_in(client, "surat@staff.example")
    url = f"/backoffice/settlements/{world['start']}/centres/{world['surat'].id}/statement.pdf"
    thai = client.get(url + "?lang=th")
    assert thai.mimetype == "application/pdf"
    assert_says(thai.data, "ใบแจ้งยอดของศูนย์สุราษฎร์ธานี", "฿1,300", "หนึ่งพันสามร้อยบาทถ้วน", world["order"].number, "ยอดที่ต้องจ่าย")
    assert_says(client.get(url + "?lang=en").data, "Statement of Surat Thani centre", "Amount payable", "฿1,300")
    assert client.get(url + "?lang=xx").status_code == 404


def test_a_bad_payout_is_refused_with_a_message_and_nothing_recorded(client, world):
    sign_in(client, "admin@tla.example")
    start = world["start"]
    client.post(f"/backoffice/settlements/{start}/close", data={"csrf_token": form_token(client, f"/backoffice/settlements/{start}")})
    statement = db.session.scalar(select(Statement).where(Statement.centre_id == world["surat"].id))
    url = f"/backoffice/settlements/{start}/centres/{world['surat'].id}"
    for data, message in (({"amount": "2,000"}, "มากกว่ายอดที่ยังค้างจ่าย"), ({"amount": "abc"}, "จำนวนเงิน"),
                          ({"proof": (io.BytesIO(b"not an image"), "x.jpg")}, "JPEG")):
        fields = {"csrf_token": form_token(client, url), "paid_on": "2026-12-05", "amount": "100", "bank_reference": "R1", **data}
        response = client.post(f"/backoffice/statements/{statement.id}/payouts", data=fields, content_type="multipart/form-data")
        assert response.status_code == 303
        assert message in flashed(client.get(response.location)), data
    assert db.session.scalar(select(func.count(Payout.id))) == 0


def test_staff_cannot_close_a_period_or_set_commission(client, world):
    sign_in(client, "surat@staff.example")
    token = form_token(client, "/backoffice/settlements")
    assert client.post(f"/backoffice/settlements/{world['start']}/close", data={"csrf_token": token}).status_code == 403
    assert client.post("/backoffice/settlements/commission", data={"csrf_token": token}).status_code == 403
    assert client.get("/backoffice/settlements/not-a-date").status_code == 404


def test_an_admin_sets_a_commission_that_shows_on_the_statement(client, world):
    sign_in(client, "admin@tla.example")
    response = client.post("/backoffice/settlements/commission", data={
        "csrf_token": form_token(client, "/backoffice/settlements"), "centre_id": world["surat"].id, "percent": "10",
        "effective_from": world["start"]})
    assert response.status_code == 303, flashed(client.get("/backoffice/settlements"))
    page = client.get(f"/backoffice/settlements/{world['start']}/centres/{world['surat'].id}").get_data(as_text=True)
    assert "-฿130" in page and "฿1,170" in page


def test_a_guest_downloads_the_receipt_with_the_orders_signed_link_and_gets_the_same_bytes(client, world):
    order = world["order"]
    receipt = issuing.receipt_of(order.id)
    key = checkout.order_access_key(order.number)
    page = client.get(f"/orders/{order.number}?key={key}").get_data(as_text=True)
    link = re.search(r'href="([^"]+/documents/RC[^"]+lang=th)"', page).group(1).replace("&amp;", "&")
    first = client.get(link)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert_says(first.data, receipt.number, "ผ้าพิมพ์ใบไม้", "฿1,600", "หนึ่งพันหกร้อยบาทถ้วน")
    assert client.get(link).data == first.data
    assert client.get(f"/orders/{order.number}/documents/{receipt.number}.pdf").status_code == 404  # no key
    other = place(cart_with((world["order"].lines[0].variant_id, 1)))
    lifecycle.record_payment(other.id, method="promptpay_transfer", reference="T2", amount_satang=other.total_satang)
    other_receipt = issuing.receipt_of(other.id)
    assert client.get(f"/orders/{order.number}/documents/{other_receipt.number}.pdf?key={key}").status_code == 404


def test_an_admin_reprints_a_receipt_marked_copy_and_staff_cannot(client, world):
    order = world["order"]
    number = issuing.receipt_of(order.id).number
    sign_in(client, "admin@tla.example")
    assert number in client.get(f"/backoffice/orders/{order.id}").get_data(as_text=True)
    assert_says(client.get(f"/backoffice/orders/{order.id}/documents/{number}.pdf?lang=th").data, "สำเนา", number)
    client.get("/account/sign-out")
    sign_in(client, "surat@staff.example")
    assert client.get(f"/backoffice/orders/{order.id}/documents/{number}.pdf").status_code == 403


def test_an_organisation_asks_for_a_full_tax_invoice_at_checkout(client, world, app):
    app.config["VAT_ENABLED"] = True
    variant_id = world["order"].lines[0].variant_id
    post_form(client, "/cart/add", {"variant_id": variant_id, "quantity": "1"}, token_from="/products/cloth")
    bad = post_form(client, "/checkout", {**ADDRESS, "invoice_name": "ห้องสมุดโรงเรียนบ้านดอน", "invoice_address": "99 หมู่ 3 สุราษฎร์ธานี 84000",
                                          "invoice_tax_id": "0994000165022"}, token_from="/checkout")
    assert bad.status_code == 400 and "เลขตรวจสอบ" in bad.get_data(as_text=True)
    response, _form = check_out(client, invoice_name="ห้องสมุดโรงเรียนบ้านดอน", invoice_address="99 หมู่ 3 สุราษฎร์ธานี 84000",
                                invoice_tax_id="0-9940-00165-02-1", invoice_branch="")
    assert response.status_code == 303
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert (order.invoice_name, order.invoice_tax_id, order.invoice_branch) == ("ห้องสมุดโรงเรียนบ้านดอน", "0994000165021", "00000")
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T9", amount_satang=order.total_satang)
    assert db.session.scalar(select(Document.kind).where(Document.order_id == order.id)) == "tax_invoice"
