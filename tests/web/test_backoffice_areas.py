"""The back office split by area: admin-only pages are guarded by one decorator, the offline-sale
and refund forms refuse bad input field by field (in Thai) and change nothing, and the default
shipping fee of a new centre comes from the configuration."""
import re

import pytest
from sqlalchemy import func, select

from shop.config import Config
from shop.extensions import db
from shop.models import (
    AuditEntry,
    Centre,
    OfflineSale,
    Order,
    Refund,
    SalesDaily,
    SalesEntry,
    Shipment,
    StockMovement,
    User,
    Variant,
)
from shop.services.ordering import lifecycle
from shop.services.payments import slips
from tests.factories import cart_with, make_centre, make_product, place
from tests.slips import slip_picture
from tests.web.helpers import PASSWORD, csrf_token, flashed, make_user

# Every back-office page only association admins may use. A new admin page is added here, and
# its view carries @admin_required; a page that loses the decorator fails the first test.
ADMIN_ONLY = {
    "backoffice.payments", "backoffice.confirm_transfer", "backoffice.reject_transfer", "backoffice.order",
    "backoffice.refunds_due", "backoffice.order_refund", "backoffice.centres", "backoffice.centre_edit",
    "backoffice.staff", "backoffice.staff_action", "backoffice.baselines", "backoffice.trained_baselines",
    "backoffice.commission_set", "backoffice.settlement_close", "backoffice.payout_new", "backoffice.document_reprint",
    "backoffice.slip_picture",
}


def signed_in(app, email, lang="th"):
    client = app.test_client()
    response = client.post("/account/sign-in", data={"csrf_token": csrf_token(client), "email": email, "password": PASSWORD})
    assert response.status_code == 303
    if lang == "en":
        client.get("/language/en")
    return client


@pytest.fixture
def world(app):
    surat = make_centre("surat", province_code="84", region="south")
    cloth = make_product(surat, slug="cloth", prices=(65000,), stock=10)
    order = place(cart_with((cloth.variants[0].id, 2)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    return {"surat": surat, "cloth": cloth, "sku": cloth.variants[0].sku, "order": order,
            "staff": make_user("surat@staff.example", "staff", surat), "admin": make_user("admin@tla.example", "admin")}


def everything():
    """Every row a refused request could have changed."""
    db.session.rollback()
    rows = {}
    for model in (OfflineSale, SalesEntry, SalesDaily, Variant, Order, Shipment, Refund, Centre, User):
        rows[model.__name__] = [tuple(getattr(r, c.key) for c in model.__table__.columns)
                                for r in db.session.scalars(select(model).order_by(model.id))]
    rows["movements"] = db.session.scalar(select(func.count(StockMovement.id)))
    rows["audit"] = db.session.scalar(select(func.count(AuditEntry.id)))
    return rows


# --- admin_required ---------------------------------------------------------------------------

def admin_only_requests(app, ids):
    """(endpoint, method, url) for every rule whose view is declared admin-only, with real IDs."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not rule.endpoint.startswith("backoffice.") or not getattr(view, "admin_only", False):
            continue
        url = rule.rule
        for arg in rule.arguments:
            value = ids.get(arg, {"start": "2026-11-01", "number": "RC2569-000001"}.get(arg, 1))
            url = re.sub(rf"<(?:\w+:)?{arg}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_admin_only_page_is_declared_so_and_refuses_staff_of_the_right_centre(app, world):
    declared = {rule.endpoint for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("backoffice.") and getattr(app.view_functions[rule.endpoint], "admin_only", False)}
    assert declared == ADMIN_ONLY
    slip = slips.submit_slip(place(cart_with((world["cloth"].variants[0].id, 1))).id, slip_picture())
    ids = {"order_id": world["order"].id, "centre_id": world["surat"].id, "user_id": world["staff"].id,
           "action": "reset-password", "slip_id": slip.id}
    staff = signed_in(app, "surat@staff.example")
    before = everything()
    walked = set()
    for endpoint, method, url in admin_only_requests(app, ids):
        if method == "GET":
            response = staff.get(url)
        else:
            response = staff.post(url, data={"csrf_token": csrf_token(staff, "/backoffice/"), "reference": "T9", "amount": "1300",
                                             "note": "x", f"qty-{world['order'].lines[0].id}": "1", "slug": "x", "email": "x@example.com"})
        assert response.status_code == 403, (endpoint, method, url, response.status_code)
        walked.add(endpoint)
    assert walked == ADMIN_ONLY
    assert everything() == before, "a refused request changed something"
    admin = signed_in(app, "admin@tla.example")
    assert all(admin.get(url).status_code == 200 for _, method, url in admin_only_requests(app, ids) if method == "GET")


def test_cancel_and_refund_of_a_parcel_is_for_admins_even_from_its_own_centre(app, world):
    parcel = db.session.scalar(select(Shipment).where(Shipment.order_id == world["order"].id))
    url = f"/backoffice/shipments/{parcel.id}/cancel-refund"
    staff = signed_in(app, "surat@staff.example")
    before = everything()
    assert staff.post(url, data={"csrf_token": csrf_token(staff, "/backoffice/")}).status_code == 403
    assert everything() == before
    admin = signed_in(app, "admin@tla.example")
    assert admin.post(url, data={"csrf_token": csrf_token(admin, "/backoffice/")}).status_code == 303
    db.session.rollback()
    assert db.session.get(Shipment, parcel.id).status == "cancelled"
    assert db.session.scalar(select(func.count(Refund.id))) == 1


# --- The offline-sale form ----------------------------------------------------------------------

def record_sale(client, **fields):
    data = {"csrf_token": csrf_token(client, "/backoffice/offline-sales"), "day": "2026-05-01", "channel": "fair",
            "amount": "350", **fields}
    return client.post("/backoffice/offline-sales", data=data, follow_redirects=True)


@pytest.mark.parametrize(("fields", "thai"), [
    ({"day": "2026-13-01"}, "วันที่: กรุณาใส่วันที่ขาย เช่น 2026-05-01"),
    ({"day": "๒๕๖๙-๐๕-๐๑"}, "วันที่: กรุณาใส่วันที่ขาย เช่น 2026-05-01"),
    ({"day": ""}, "วันที่: กรุณาใส่วันที่ขาย เช่น 2026-05-01"),
    ({"channel": "street"}, "ช่องทาง: กรุณาเลือกช่องทางที่ขาย"),
    ({"amount": "12.345"}, "จำนวนเงิน (บาท): "),
    ({"sku-1": "CLOTH", "qty-1": "abc"}, "จำนวน 1: จำนวนชิ้นต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100,000"),
    ({"sku-2": "CLOTH", "qty-2": "0"}, "จำนวน 2: จำนวนชิ้นต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100,000"),
    ({"sku-3": "CLOTH", "qty-3": "100001"}, "จำนวน 3: จำนวนชิ้นต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100,000"),
    ({"sku-1": "CLOTH", "qty-1": "١"}, "จำนวน 1: จำนวนชิ้นต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100,000"),
    ({"sku-1": "CLOTH"}, "จำนวน 1: จำนวนชิ้นต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100,000"),
    ({"sku-1": "no such/sku", "qty-1": "1"}, "SKU 1: "),
    ({"note": "x" * 1001}, "หมายเหตุ: ไม่เกิน 1000 ตัวอักษร"),
])
def test_a_bad_offline_sale_names_the_field_in_thai_and_changes_nothing(app, world, fields, thai):
    staff = signed_in(app, "surat@staff.example")
    before = everything()
    response = record_sale(staff, **fields)
    assert response.status_code == 200
    assert thai in flashed(response), flashed(response)
    assert everything() == before


def test_a_bad_offline_sale_is_named_in_english_too(app, world):
    staff = signed_in(app, "surat@staff.example", "en")
    messages = flashed(record_sale(staff, day="01/05/2026", **{"sku-1": "CLOTH", "qty-1": "lots"}))
    assert "Date: Please give the date of the sale, like 2026-05-01." in messages
    assert "Quantity 1: A whole number of units from 1 to 100,000." in messages


def test_an_admin_must_choose_a_centre_that_exists(app, world):
    admin = signed_in(app, "admin@tla.example")
    before = everything()
    for centre in ("", "999999", "abc"):
        assert "ศูนย์: กรุณาเลือกศูนย์ที่ขายสินค้านี้" in flashed(record_sale(admin, centre_id=centre)), centre
    assert everything() == before
    record_sale(admin, centre_id=str(world["surat"].id))
    db.session.rollback()
    assert db.session.scalar(select(OfflineSale.centre_id)) == world["surat"].id


def test_a_good_offline_sale_with_items_is_one_call_and_its_items_leave_stock(app, world):
    staff = signed_in(app, "surat@staff.example")
    response = record_sale(staff, **{"sku-1": f" {world['sku'].lower()} ", "qty-1": "3", "note": "Tourism festival"})
    assert "บันทึก" in flashed(response)
    db.session.rollback()
    sale = db.session.scalar(select(OfflineSale))
    assert (sale.centre_id, sale.channel, sale.amount_satang, sale.note) == (world["surat"].id, "fair", 35000, "Tourism festival")
    assert db.session.get(Variant, world["cloth"].variants[0].id).stock_on_hand == 10 - 3


def test_an_unknown_sku_of_the_centre_is_refused_by_the_service_and_changes_nothing(app, world):
    staff = signed_in(app, "surat@staff.example")
    before = everything()
    assert "NOPE-1" in flashed(record_sale(staff, **{"sku-1": "nope-1", "qty-1": "1"}))
    assert everything() == before


def test_the_offline_sale_form_shows_its_fields_by_label(app, world):
    page = signed_in(app, "surat@staff.example").get("/backoffice/offline-sales").get_data(as_text=True)
    assert 'type="date"' in page and 'id="sku-3"' in page and 'name="qty-1"' in page
    assert 'name="centre_id"' not in page  # staff record for their own centre only
    admin_page = signed_in(app, "admin@tla.example").get("/backoffice/offline-sales").get_data(as_text=True)
    assert 'name="centre_id"' in admin_page


# --- The refund form --------------------------------------------------------------------------

def refund(client, order, **fields):
    data = {"csrf_token": csrf_token(client, f"/backoffice/orders/{order.id}"), "reason": "torn", **fields}
    return client.post(f"/backoffice/orders/{order.id}/refund", data=data, follow_redirects=True)


@pytest.mark.parametrize("quantity", ["abc", "-1", "1.5", "١", "1" * 7, "1e3"])
def test_a_refund_quantity_that_is_not_a_whole_number_is_refused_in_thai_and_changes_nothing(app, world, quantity):
    order = world["order"]
    admin = signed_in(app, "admin@tla.example")
    before = everything()
    response = refund(admin, order, **{f"qty-{order.lines[0].id}": quantity})
    assert response.status_code == 200
    assert "จำนวนต้องเป็นจำนวนเต็ม" in flashed(response), flashed(response)
    assert everything() == before


def test_a_refund_reason_too_long_is_refused_and_changes_nothing(app, world):
    order = world["order"]
    admin = signed_in(app, "admin@tla.example", "en")
    before = everything()
    response = refund(admin, order, reason="x" * 501, **{f"qty-{order.lines[0].id}": "1"})
    assert "Reason: At most 500 characters." in flashed(response)
    assert everything() == before


def test_a_refund_of_more_than_is_left_is_refused_by_the_service(app, world):
    order = world["order"]
    admin = signed_in(app, "admin@tla.example")
    before = everything()
    assert flashed(refund(admin, order, **{f"qty-{order.lines[0].id}": "3"}))
    assert everything() == before


def test_a_refund_through_the_form_refunds_the_lines_and_the_shipping_chosen(app, world):
    order = world["order"]
    parcel = order.shipments[0]
    variant_id = world["cloth"].variants[0].id
    available = db.session.get(Variant, variant_id).available
    admin = signed_in(app, "admin@tla.example")
    response = refund(admin, order, restock="1", **{f"qty-{order.lines[0].id}": "1", f"ship-{parcel.id}": "1"})
    assert "คืนเงิน" in flashed(response)
    db.session.rollback()
    made = db.session.scalar(select(Refund))
    assert made.amount_satang == 65000 + parcel.shipping_fee_satang and made.reason == "torn"
    assert db.session.get(Variant, variant_id).available == available + 1


def test_a_refund_without_a_csrf_token_is_a_bad_request(app, world):
    admin = signed_in(app, "admin@tla.example")
    before = everything()
    response = admin.post(f"/backoffice/orders/{world['order'].id}/refund", data={f"qty-{world['order'].lines[0].id}": "1"})
    assert response.status_code == 400
    assert everything() == before


# --- The default shipping fee ---------------------------------------------------------------

def new_centre(client, **fields):
    data = {"csrf_token": csrf_token(client, "/backoffice/centres/new"), "slug": "chiang-rai", "name_th": "ศูนย์เชียงราย",
            "province_code": "57", "region": "north", "shipping_fee": "", "free_shipping_from": "", "active": "y", **fields}
    return client.post("/backoffice/centres/new", data=data)


def test_a_new_centre_without_a_fee_gets_the_configured_default(app, world):
    app.config["DEFAULT_SHIPPING_FEE_BAHT"] = 65
    admin = signed_in(app, "admin@tla.example")
    assert 'value="65"' in admin.get("/backoffice/centres/new").get_data(as_text=True)  # shown before it is saved
    assert new_centre(admin).status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(Centre.shipping_fee_satang).where(Centre.slug == "chiang-rai")) == 6500


def test_a_fee_emptied_on_an_existing_centre_becomes_the_default_and_a_fee_given_is_kept(app, world):
    app.config["DEFAULT_SHIPPING_FEE_BAHT"] = 40
    admin = signed_in(app, "admin@tla.example")
    assert new_centre(admin, shipping_fee="0").status_code == 303
    db.session.rollback()
    centre = db.session.scalar(select(Centre).where(Centre.slug == "chiang-rai"))
    assert centre.shipping_fee_satang == 0  # free shipping is a fee of ฿0, not "no fee"
    page = f"/backoffice/centres/{centre.id}"
    blank = {name: "" for name in ("name_en", "library_th", "library_en", "story_th", "story_en", "contact_phone",
                                    "contact_email", "contact_line", "free_shipping_from")}
    response = admin.post(page, data={"csrf_token": csrf_token(admin, page), **blank, "slug": "chiang-rai", "name_th": "ศูนย์เชียงราย",
                                      "province_code": "57", "region": "north", "shipping_fee": "", "active": "y"})  # as a browser sends it
    assert response.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    db.session.rollback()
    assert db.session.get(Centre, centre.id).shipping_fee_satang == 4000


def test_the_default_shipping_fee_is_read_from_the_environment_and_bounded(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DEFAULT_SHIPPING_FEE_BAHT", raising=False)
    assert Config().DEFAULT_SHIPPING_FEE_BAHT == 50
    monkeypatch.setenv("DEFAULT_SHIPPING_FEE_BAHT", "80")
    assert Config().DEFAULT_SHIPPING_FEE_BAHT == 80
    for bad in ("-1", "fifty", "2000000"):
        monkeypatch.setenv("DEFAULT_SHIPPING_FEE_BAHT", bad)
        with pytest.raises(RuntimeError, match="DEFAULT_SHIPPING_FEE_BAHT"):
            Config()
