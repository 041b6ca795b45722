"""Transfer slips: the mini-QR parser, reading it from a picture, the slip_received state and the race."""
import io
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, PaymentSlip
from shop.models._base import utcnow
from shop.services.errors import OrderClosed
from shop.services.ordering import lifecycle
from shop.services.payments import promptpay, slips
from shop.services.payments.qr_picture import qr_picture_png
from tests.factories import cart_with, make_product, place
from tests.races import race
from tests.slips import plain_picture, qr_on_picture, slip_picture

# Test vectors of maythiwat/promptparse (MIT), src/index.test.ts
PROMPTPARSE_BBL = "004000060000010103002021900021231231212000115102TH91049C30"
PROMPTPARSE_SCB = "004100060000010103014022000111222233344ABCD125102TH910417DF"


def test_a_slip_payload_gives_its_sending_bank_and_transaction_reference():
    assert slips.parse_slip_payload(PROMPTPARSE_BBL) == slips.SlipData("002", "0002123123121200011")
    assert slips.parse_slip_payload(PROMPTPARSE_SCB) == slips.SlipData("014", "00111222233344ABCD12")


def test_the_shop_builds_the_same_payload_as_an_independent_implementation():
    assert slips.build_slip_payload("002", "0002123123121200011") == PROMPTPARSE_BBL


def test_a_crc_written_without_its_leading_zeros_is_still_read():
    payload = next(p for p in (slips.build_slip_payload("004", f"REF{n:05d}") for n in range(500)) if p[-4] == "0")
    shortened = payload[:-8] + "9103" + payload[-3:]
    assert slips.parse_slip_payload(shortened) == slips.parse_slip_payload(payload)


@pytest.mark.parametrize("payload", [
    PROMPTPARSE_BBL[:-4] + "0000",  # bad CRC
    PROMPTPARSE_BBL[:-1] + "1",  # bad CRC
    PROMPTPARSE_BBL.replace("1900021", "1900031"),  # a changed reference keeps the old CRC
])
def test_a_slip_payload_with_a_bad_crc_is_refused(payload):
    with pytest.raises(slips.MalformedPayload):
        slips.parse_slip_payload(payload)


def _with_crc(body: str) -> str:
    body += "9104"
    return body + f"{promptpay.crc16_ccitt_false(body.encode()):04X}"


@pytest.mark.parametrize("body", [
    "0019" + "0006000001" + "0103014" + "5102TH",  # no transaction reference
    "0019" + "0006000001" + "0209REF000001" + "5102TH",  # no sending bank
    "0030" + "0006000002" + "0103014" + "0209REF000001" + "5102TH",  # another API id
    "0030" + "0006000001" + "0103014" + "0209REF000001",  # no country
    "0030" + "0006000001" + "0103014" + "0209REF000001" + "5102US",  # not Thailand
    "5102TH",  # no slip data at all
])
def test_a_slip_payload_missing_a_tag_is_refused(body):
    with pytest.raises(slips.MalformedPayload):
        slips.parse_slip_payload(_with_crc(body))


@pytest.mark.parametrize("junk", [
    "", "hello", "https://example.com/slip", "00", "0099abc", "ฟหกด", "9104ABCD", "0" * 600,
    promptpay.build_payload("0812345678", 45000),  # a PromptPay payment QR, not a slip
])
def test_junk_is_not_a_slip_payload(junk):
    with pytest.raises(slips.MalformedPayload):
        slips.parse_slip_payload(junk)


def test_the_slip_qr_is_read_from_a_picture():
    picture = Image.open(io.BytesIO(slip_picture("016330150120AQR07531", "014", fmt="JPEG")))
    assert slips.read_slip_qr(picture) == slips.SlipData("014", "016330150120AQR07531")


def test_a_picture_without_a_qr_or_with_another_qr_is_refused():
    with pytest.raises(slips.NoSlipQR):
        slips.read_slip_qr(Image.open(io.BytesIO(plain_picture())))
    with pytest.raises(slips.BadSlipQR):
        slips.read_slip_qr(Image.open(io.BytesIO(qr_on_picture("https://example.com/not-a-slip"))))


def test_the_saved_qr_picture_decodes_to_the_payload_with_the_order_amount(app):
    payload = promptpay.build_payload("0812345678", 125050)
    with app.test_request_context("/"):
        png = qr_picture_png(payload, 125050, "สมาคมห้องสมุดฯ DEMO", "RL-261126-0001")
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    (found,) = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == payload and "54071250.50" in found.text


# --- slip_received in the order's lifecycle ----------------------------------------------------

@pytest.fixture
def scarf(app):
    return make_product(slug="slip-scarf", prices=(45000,), stock=5)


def _order(scarf):
    return place(cart_with((scarf.variants[0].id, 1)))


def test_a_slip_moves_the_order_to_slip_received_and_it_no_longer_expires(app, scarf):
    order = _order(scarf)
    slips.submit_slip(order.id, slip_picture("REF0001"))
    db.session.expire_all()
    assert order.status == "slip_received" and order.reserved_until is None
    assert lifecycle.expire_overdue_orders(now=utcnow() + timedelta(days=30)) == 0
    assert not lifecycle.expire(order.id, "reservation expired")
    db.session.expire_all()
    assert order.status == "slip_received"
    assert scarf.variants[0].stock_reserved == 1


def test_the_customer_cannot_cancel_after_sending_a_slip_but_an_admin_can_reject(app, scarf):
    order = _order(scarf)
    slips.submit_slip(order.id, slip_picture("REF0002"))
    with pytest.raises(OrderClosed):
        lifecycle.cancel(order.id, "cancelled by the customer")
    lifecycle.cancel(order.id, "transfer rejected by an admin", step="reject")
    db.session.expire_all()
    assert order.status == "cancelled" and scarf.variants[0].stock_reserved == 0


def test_a_payment_confirmed_for_a_slip_received_order_pays_it(app, scarf):
    order = _order(scarf)
    slips.submit_slip(order.id, slip_picture("REF0003"))
    assert lifecycle.record_payment(order.id, method="promptpay_transfer", reference="REF0003",
                                    amount_satang=order.total_satang) == lifecycle.PAID
    db.session.expire_all()
    assert order.status == "paid"


def test_a_paid_order_takes_no_slip(app, scarf):
    order = _order(scarf)
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    with pytest.raises(OrderClosed):
        slips.submit_slip(order.id, slip_picture("REF0004"))
    assert db.session.scalar(select(func.count(PaymentSlip.id))) == 0


def test_the_same_slip_twice_on_one_order_is_kept_once(app, scarf):
    order = _order(scarf)
    first = slips.submit_slip(order.id, slip_picture("REF0005"))
    again = slips.submit_slip(order.id, slip_picture("REF0005"))
    assert first.id == again.id
    assert db.session.scalar(select(func.count(PaymentSlip.id))) == 1


def test_one_slip_raced_onto_two_orders_pays_only_one(app, scarf):
    orders = [_order(scarf).id for _ in range(2)]
    picture = slip_picture("RACE0001")
    def customer(order_id: int):
        def job():
            slips.submit_slip(order_id, picture)
            return "received"
        return job

    outcomes, errors = race(app, [customer(o) for o in orders], (slips.SlipAlreadyUsed,))
    assert not errors, errors[:3]
    assert sorted(outcomes) == ["received", "refused"]
    assert db.session.scalar(select(func.count(PaymentSlip.id))) == 1
    statuses = sorted(db.session.scalars(select(Order.status).where(Order.id.in_(orders))))
    assert statuses == ["awaiting_payment", "slip_received"]
    refused = db.session.scalar(select(Order).where(Order.id.in_(orders), Order.status == "awaiting_payment"))
    assert "RACE0001" in refused.attention
