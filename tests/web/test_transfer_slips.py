"""Paying on the same phone (the saved QR picture) and sending the transfer slip, through the web."""
import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, PaymentSlip, User
from shop.services.ordering import checkout, lifecycle
from tests.factories import cart_with, make_product, place
from tests.pictures import rgba16_4999
from tests.slips import plain_picture, slip_picture
from tests.web.helpers import CSRF, csrf_token, flashed

PASSWORD = "admin password 1"


@pytest.fixture
def scarf(app):
    return make_product(slug="slip-scarf", prices=(125050,), stock=5)


def _order(scarf) -> Order:
    return place(cart_with((scarf.variants[0].id, 1)))


def _page(order) -> str:
    return checkout.order_url(order).split("5000", 1)[1]


def _send(client, order, picture: bytes, filename="slip.png", csrf=True, prefix=""):
    url = prefix + _page(order)
    token = csrf_token(client) if csrf else ""
    path, _, query = url.partition("?")
    return client.post(f"{path}/slip?{query}", data={"csrf_token": token, "slip": (io.BytesIO(picture), filename)},
                       content_type="multipart/form-data")


def _slips() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(PaymentSlip.id)))


def test_the_order_page_shows_the_recipient_the_amount_the_steps_and_the_mark(client, scarf, app):
    order = _order(scarf)
    page = client.get(_page(order)).get_data(as_text=True)
    assert app.config["PROMPTPAY_NAME"] in page and "฿1,250.50" in page
    assert "บันทึกรูป QR" in page and "Thai QR Payment" in page and "PromptPay" in page
    assert "เปิดแอปธนาคาร" in page
    assert '<label for="slip"' in page and 'enctype="multipart/form-data"' in page
    english = client.get("/en" + _page(order)).get_data(as_text=True)
    assert "Save QR picture" in english and "Open your bank app and choose Scan." in english


def test_the_saved_qr_picture_is_a_png_named_after_the_order_holding_the_exact_amount(client, scarf):
    order = _order(scarf)
    path, _, query = _page(order).partition("?")
    response = client.get(f"{path}/promptpay-qr.png?{query}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == f"attachment; filename={order.number}.png"
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert "54071250.50" in found.text
    assert client.get(f"{path}/promptpay-qr.png").status_code == 404  # no key: not theirs


def test_a_slip_is_received_and_the_order_waits_for_the_admin(client, scarf):
    order = _order(scarf)
    response = _send(client, order, slip_picture("016330150120AQR07531"))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "ได้รับสลิปแล้ว" in page.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "slip_received"
    assert db.session.scalar(select(PaymentSlip.transaction_ref)) == "016330150120AQR07531"


@pytest.mark.parametrize(("picture", "message"), [
    (plain_picture(), "ไม่พบคิวอาร์โค้ดของสลิป"),
    (b"%PDF-1.4 not a picture", "ไฟล์นี้ไม่ใช่รูปภาพ"),
    (rgba16_4999(), "รูปภาพใหญ่เกินกว่าจะเปิดได้"),
], ids=["no-qr", "not-an-image", "huge"])
def test_a_picture_that_is_no_slip_is_refused_with_a_thai_message_and_changes_nothing(client, scarf, picture, message):
    order = _order(scarf)
    response = _send(client, order, picture)
    assert response.status_code == 303
    assert message in flashed(client.get(response.headers["Location"]))
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "awaiting_payment" and _slips() == 0


def test_someone_elses_order_takes_no_slip(client, scarf):
    order = _order(scarf)
    token = csrf_token(client)
    response = client.post(f"/orders/{order.number}/slip?key=forged", data={"csrf_token": token, "slip": (io.BytesIO(slip_picture()), "s.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 404 and _slips() == 0


def test_a_paid_order_takes_no_slip(client, scarf):
    order = _order(scarf)
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    response = _send(client, order, slip_picture("REFPAID01"))
    assert "แก้ไขไม่ได้แล้ว" in flashed(client.get(response.headers["Location"])) and _slips() == 0


def test_a_slip_without_a_csrf_token_is_refused(client, scarf):
    order = _order(scarf)
    assert _send(client, order, slip_picture(), csrf=False).status_code == 400 and _slips() == 0


def test_the_same_slip_on_another_order_is_refused_and_flagged_for_the_admins(client, scarf):
    first, second = _order(scarf), _order(scarf)
    _send(client, first, slip_picture("DUPLICATE001"))
    response = _send(client, second, slip_picture("DUPLICATE001"))
    assert "สลิปนี้ถูกส่งมาแล้วสำหรับคำสั่งซื้ออื่น" in flashed(client.get(response.headers["Location"]))
    db.session.rollback()
    refused = db.session.get(Order, second.id)
    assert refused.status == "awaiting_payment" and first.number in refused.attention
    assert _slips() == 1
    english = _send(client, second, slip_picture("DUPLICATE001"), prefix="/en")
    english_page = client.get(english.headers["Location"])
    assert "already sent for another order" in flashed(english_page)


def test_the_admin_sees_the_slip_beside_the_order_and_confirms_at_the_exact_amount(app, client, scarf):
    order = _order(scarf)
    _send(client, order, slip_picture("ADMINREF01"))
    admin_user = User(email="admin@tla.example", name="admin", role="admin")
    admin_user.set_password(PASSWORD)
    db.session.add(admin_user)
    db.session.commit()
    admin = app.test_client()
    admin.post("/account/sign-in", data={"csrf_token": csrf_token(admin), "email": "admin@tla.example", "password": PASSWORD})
    page = admin.get("/backoffice/payments").get_data(as_text=True)
    slip_id = db.session.scalar(select(PaymentSlip.id))
    assert f"/backoffice/slips/{slip_id}.jpg" in page and "ADMINREF01" in page and "฿1,250.50" in page
    picture = admin.get(f"/backoffice/slips/{slip_id}.jpg")
    assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
    assert client.get(f"/backoffice/slips/{slip_id}.jpg").status_code in (302, 403)  # the customer: no
    token = CSRF.search(page).group(1)
    admin.post(f"/backoffice/orders/{order.id}/confirm-transfer", data={"csrf_token": token, "reference": "ADMINREF01", "amount": "1250"})
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "slip_received"  # not the exact amount
    admin.post(f"/backoffice/orders/{order.id}/confirm-transfer", data={"csrf_token": token, "reference": "ADMINREF01", "amount": "1250.50"})
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "paid"
    assert re.search(r"ADMINREF01", admin.get("/backoffice/payments").get_data(as_text=True)) is None


def test_a_multipart_field_name_with_a_line_break_is_refused_not_a_500(client, scarf):
    order = _order(scarf)
    path, _, query = _page(order).partition("?")
    response = client.post(f"{path}/slip?{query}", data={"csrf_token": csrf_token(client), "\rX": "y",
                                                          "slip": (io.BytesIO(slip_picture()), "s.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and _slips() == 0
