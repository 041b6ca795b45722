"""The back office: staff are held to their own centre on every route; the work itself."""
import io
import re
from datetime import UTC

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import (
    AuditEntry,
    Order,
    OrderLine,
    Product,
    ProductImage,
    Shipment,
    StockMovement,
    User,
    Variant,
)
from shop.services.money import format_baht
from shop.services.notifications import outbox
from shop.services.ordering import attention, checkout, lifecycle
from tests.factories import cart_with, make_centre, make_product, place
from tests.web.helpers import CSRF, PASSWORD, csrf_token, make_user


def sign_in(client, email):
    token = csrf_token(client)
    response = client.post("/account/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def world(app):
    return make_world()


def make_world() -> dict:
    """Two centres with a product each, a paid order from both and an unpaid one, staff, an admin."""
    surat = make_centre("surat", province_code="84", region="south")
    lampang = make_centre("lampang", province_code="52", province_en="Lampang", region="north")
    cloth = make_product(surat, slug="cloth", name_en="Leaf cloth SECRET", prices=(65000,), stock=10)
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=10)
    png = io.BytesIO()
    Image.new("RGB", (40, 40), "green").save(png, "PNG")
    db.session.add(ProductImage(product_id=cloth.id, filename="aa/a.jpg", thumb_filename="aa/a-t.jpg", width=40, height=40))
    db.session.commit()
    order = place(cart_with((cloth.variants[0].id, 2), (rooster.variants[0].id, 1)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    unpaid = place(cart_with((cloth.variants[0].id, 1)))
    return {
        "surat": surat, "lampang": lampang, "cloth": cloth, "rooster": rooster, "order": order, "unpaid": unpaid,
        "staff_surat": make_user("surat@staff.example", "staff", surat),
        "staff_lampang": make_user("lampang@staff.example", "staff", lampang),
        "admin": make_user("admin@tla.example", "admin"),
        "customer": make_user("customer@example.com", "customer"),
    }


def surat_shipment(world) -> Shipment:
    return db.session.scalar(select(Shipment).where(Shipment.order_id == world["order"].id, Shipment.centre_id == world["surat"].id))


def snapshot():
    db.session.rollback()
    rows = {}
    for model in (Product, Variant, ProductImage, Shipment, Order, OrderLine, User):
        rows[model.__name__] = [tuple(getattr(r, c.key) for c in model.__table__.columns) for r in db.session.scalars(select(model).order_by(model.id))]
    rows["movements"] = db.session.scalar(select(func.count(StockMovement.id)))
    rows["audit"] = db.session.scalar(select(func.count(AuditEntry.id)))
    return rows


def surat_ids(world) -> dict:
    cloth = world["cloth"]
    image = db.session.scalar(select(ProductImage).where(ProductImage.product_id == cloth.id))
    return {
        "product_id": cloth.id, "variant_id": cloth.variants[0].id, "image_id": image.id,
        "shipment_id": surat_shipment(world).id, "order_id": world["unpaid"].id,
        "centre_id": world["surat"].id, "user_id": world["staff_surat"].id,
    }


STEP_VALUES = {"step": ["pack", "ship", "deliver", "cancel"], "action": ["disable", "enable", "reset-password"]}
FORM = {"quantity": "5", "delta": "-3", "reason": "damage", "carrier": "Thailand Post", "tracking_number": "EX1",
        "reference": "T9", "amount": "700", "note": "x", "name_th": "แก้", "sku": "HACKED", "price": "1",
        "category_id": "1", "email": "x@example.com", "name": "x", "role": "staff", "centre_id": "1"}


def backoffice_requests(app, ids):
    """Every back-office rule, filled with the first centre's real IDs."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("backoffice."):
            continue
        id_args = [a for a in rule.arguments if a.endswith("_id")]
        choices = [dict()]
        for arg in rule.arguments:
            values = STEP_VALUES.get(arg, [ids.get(arg)])
            choices = [{**c, arg: v} for c in choices for v in values]
        for args in choices:
            url = rule.rule
            for key, value in args.items():
                url = re.sub(rf"<(?:\w+:)?{key}>", str(value), url)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url, bool(id_args)


def test_staff_of_another_centre_get_403_or_404_on_every_route_with_the_first_centres_ids(app, world):
    ids = surat_ids(world)
    client = sign_in(app.test_client(), "lampang@staff.example")
    before = snapshot()
    secrets = ["Leaf cloth SECRET", world["cloth"].variants[0].sku, world["unpaid"].number]
    walked = 0
    for endpoint, method, url, has_ids in backoffice_requests(app, ids):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client, "/account/sign-in"), **FORM})
        walked += 1
        page = response.get_data(as_text=True)
        if has_ids:
            assert response.status_code in {403, 404}, (endpoint, method, url, response.status_code)
        else:
            assert response.status_code in {200, 303, 400, 403, 404}, (endpoint, url, response.status_code)
            for secret in secrets:
                assert secret not in page, (endpoint, url, secret)
    assert walked >= 25
    assert snapshot() == before, "a refused request changed something"


def test_customers_and_visitors_cannot_enter_the_back_office(app, world):
    visitor = app.test_client()
    response = visitor.get("/backoffice/products")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    customer = sign_in(app.test_client(), "customer@example.com")
    assert customer.get("/backoffice/").status_code == 403
    assert customer.get(f"/backoffice/products/{world['cloth'].id}").status_code == 403


def test_staff_see_their_own_centre_and_admins_see_all(app, world):
    surat = sign_in(app.test_client(), "surat@staff.example")
    page = surat.get("/backoffice/products").get_data(as_text=True)
    assert f"/backoffice/products/{world['cloth'].id}\"" in page
    assert f"/backoffice/products/{world['rooster'].id}\"" not in page
    assert surat.get("/backoffice/payments").status_code == 403
    admin = sign_in(app.test_client(), "admin@tla.example")
    assert admin.get(f"/backoffice/products/{world['rooster'].id}").status_code == 200
    assert admin.get("/backoffice/payments").status_code == 200


def post(client, url, data, token_from="/backoffice/"):
    return client.post(url, data={"csrf_token": CSRF.search(client.get(token_from).get_data(as_text=True)).group(1), **data})


def test_packing_and_shipping_consumes_stock_and_tells_the_customer(app, world):
    staff = sign_in(app.test_client(), "surat@staff.example")
    shipment = surat_shipment(world)
    queue = staff.get("/backoffice/shipments?status=to_pack").get_data(as_text=True)
    assert world["order"].number in queue and world["unpaid"].number not in queue  # unpaid orders stay out
    assert post(staff, f"/backoffice/shipments/{shipment.id}/pack", {}).status_code == 303
    assert post(staff, f"/backoffice/shipments/{shipment.id}/ship", {"carrier": "Thailand Post", "tracking_number": ""}).status_code == 303
    db.session.rollback()
    assert db.session.get(Shipment, shipment.id).status == "packed"  # no tracking number, no step
    post(staff, f"/backoffice/shipments/{shipment.id}/ship", {"carrier": "Thailand Post", "tracking_number": "EF123456789TH"})
    db.session.rollback()
    variant = db.session.get(Variant, world["cloth"].variants[0].id)
    assert (variant.stock_on_hand, variant.stock_reserved) == (8, 1)  # 2 shipped; 1 still held for the unpaid order
    assert "EF123456789TH" in outbox[-1].get_content()
    page = app.test_client().get(checkout.order_url(world["order"]).split("5000", 1)[1]).get_data(as_text=True)
    assert "EF123456789TH" in page
    assert post(staff, f"/backoffice/shipments/{shipment.id}/cancel", {}).status_code == 303
    db.session.rollback()
    assert db.session.get(Shipment, shipment.id).status == "shipped"  # too late to cancel
    slip = staff.get(f"/backoffice/shipments/{shipment.id}/slip").get_data(as_text=True)
    assert world["order"].contact_name in slip and world["cloth"].variants[0].sku in slip


def test_cancelling_a_shipment_before_it_ships_returns_its_stock_and_flags_a_refund(app, world):
    staff = sign_in(app.test_client(), "surat@staff.example")
    shipment = surat_shipment(world)
    post(staff, f"/backoffice/shipments/{shipment.id}/cancel", {})
    db.session.rollback()
    assert db.session.get(Shipment, shipment.id).status == "cancelled"
    assert db.session.get(Variant, world["cloth"].variants[0].id).stock_reserved == 1
    order = db.session.get(Order, world["order"].id)
    owed = format_baht(sum(line.unit_price_satang * line.quantity for line in shipment.lines) + shipment.shipping_fee_satang)
    assert attention.messages(order, "en") == [f"Parcel from {shipment.centre.name_en} cancelled after payment: refund of {owed} due."]
    assert attention.messages(order, "th") == [f"พัสดุจาก{shipment.centre.name_th}ถูกยกเลิกหลังชำระเงินแล้ว: ต้องคืนเงิน {owed}"]


def test_admin_confirms_a_transfer_only_for_the_exact_amount(app, world):
    admin = sign_in(app.test_client(), "admin@tla.example")
    unpaid = world["unpaid"]
    post(admin, f"/backoffice/orders/{unpaid.id}/confirm-transfer", {"reference": "BANK-1", "amount": "1"}, "/backoffice/payments")
    db.session.rollback()
    assert db.session.get(Order, unpaid.id).status == "awaiting_payment"
    baht = f"{unpaid.total_satang // 100}.{unpaid.total_satang % 100:02d}"
    post(admin, f"/backoffice/orders/{unpaid.id}/confirm-transfer", {"reference": "BANK-1", "amount": baht}, "/backoffice/payments")
    db.session.rollback()
    assert db.session.get(Order, unpaid.id).status == "paid"
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "payment.confirm"


def test_admin_rejects_a_transfer_that_never_came(app, world):
    admin = sign_in(app.test_client(), "admin@tla.example")
    post(admin, f"/backoffice/orders/{world['unpaid'].id}/reject-transfer", {"note": "no money"}, "/backoffice/payments")
    db.session.rollback()
    assert db.session.get(Order, world["unpaid"].id).status == "cancelled"


def test_adding_a_product_and_changing_a_price_never_touches_past_orders(app, world):
    staff = sign_in(app.test_client(), "surat@staff.example")
    from shop.models import Category

    category = db.session.scalar(select(Category))
    response = post(staff, "/backoffice/products/new", {
        "name_th": "ผ้าพันคอใหม่", "name_en": "New scarf", "category_id": str(category.id), "sku": "new-scarf-1",
        "price": "1,250.50", "stock_on_hand": "4", "otop": "y", "otop_stars": "3"}, "/backoffice/products/new")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    db.session.rollback()
    product = db.session.scalar(select(Product).where(Product.name_en == "New scarf"))
    assert product.centre_id == world["surat"].id and product.variants[0].price_satang == 125050
    assert product.variants[0].sku == "NEW-SCARF-1" and product.otop_stars == 3
    variant_id = world["cloth"].variants[0].id
    post(staff, f"/backoffice/variants/{variant_id}", {"sku": world["cloth"].variants[0].sku, "price": "999",
                                                          "low_stock_threshold": "2", "active": "y"}, f"/backoffice/variants/{variant_id}")
    db.session.rollback()
    assert db.session.get(Variant, variant_id).price_satang == 99900
    line = db.session.scalar(select(OrderLine).where(OrderLine.variant_id == variant_id))
    assert line.unit_price_satang == 65000
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "variant.update"))
    assert '"price_satang": 65000' in entry.before and '"price_satang": 99900' in entry.after


def test_receive_and_adjust_stock_write_the_ledger_and_the_audit_log(app, world):
    staff = sign_in(app.test_client(), "surat@staff.example")
    vid = world["cloth"].variants[0].id
    page = f"/backoffice/variants/{vid}/stock"
    post(staff, page, {"receive-quantity": "5", "receive-note": "from the workshop", "receive-submit": "1"}, page)
    post(staff, page, {"adjust-delta": "-2", "adjust-reason": "damage", "adjust-note": "torn", "adjust-submit": "1"}, page)
    post(staff, page, {"adjust-delta": "-100", "adjust-reason": "count", "adjust-submit": "1"}, page)  # below held: refused
    db.session.rollback()
    variant = db.session.get(Variant, vid)
    assert variant.stock_on_hand == 10 + 5 - 2
    reasons = db.session.scalars(select(StockMovement.reason).where(StockMovement.variant_id == vid).order_by(StockMovement.id)).all()
    assert reasons[-2:] == ["receive", "adjust"]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["stock.receive", "stock.adjust"]
    history = staff.get(page).get_data(as_text=True)
    assert "from the workshop" in history and "damage: torn" in history


def upload(client, product_id, data: bytes, name="photo.jpg"):
    token = CSRF.search(client.get(f"/backoffice/products/{product_id}").get_data(as_text=True)).group(1)
    return client.post(f"/backoffice/products/{product_id}/images", content_type="multipart/form-data",
                       data={"csrf_token": token, "photo": (io.BytesIO(data), name), "alt_th": "ภาพ"})


def image_bytes(size=(800, 600), fmt="JPEG", exif=False) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, (200, 120, 60))
    if exif:
        data = picture.getexif()
        data[0x010F] = "SecretCameraMaker"  # Make
        data[0x8825] = {2: (13.0, 45.0, 0.0)}  # GPS
        picture.save(out, fmt, exif=data)
    else:
        picture.save(out, fmt)
    return out.getvalue()


def test_a_good_photo_is_re_encoded_without_exif_and_thumbnailed(app, world):
    from pathlib import Path

    staff = sign_in(app.test_client(), "surat@staff.example")
    response = upload(staff, world["cloth"].id, image_bytes(exif=True))
    assert response.status_code == 303
    db.session.rollback()
    image = db.session.scalar(select(ProductImage).order_by(ProductImage.id.desc()))
    stored = (Path(app.config["MEDIA_FOLDER"]) / image.filename).read_bytes()
    assert b"SecretCameraMaker" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    assert Image.open(Path(app.config["MEDIA_FOLDER"]) / image.thumb_filename).size == (300, 300)
    served = staff.get(f"/media/{image.filename}")
    assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"] or "max-age=31536000" in served.headers["Cache-Control"]


def truncated_png() -> bytes:
    data = image_bytes((400, 400), "PNG")
    return data[: len(data) // 2]


def fifty_megapixels() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "name"),
    [(lambda: b"this is not a picture at all", "photo.jpg"), (truncated_png, "photo.png"),
     (fifty_megapixels, "huge.png"), (lambda: image_bytes(fmt="GIF"), "anim.gif"), (lambda: b"", "empty.jpg")],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(app, world, make, name):
    from pathlib import Path

    staff = sign_in(app.test_client(), "surat@staff.example")
    before = snapshot()
    media = Path(app.config["MEDIA_FOLDER"])
    files_before = sorted(media.rglob("*")) if media.exists() else []
    response = upload(staff, world["cloth"].id, make(), name)
    assert response.status_code in {303, 400}
    message = staff.get(f"/backoffice/products/{world['cloth'].id}").get_data(as_text=True)
    assert "JPEG, PNG" in message or "10 MB" in message or "ไฟล์" in message or "รูป" in message
    assert snapshot() == before
    assert (sorted(media.rglob("*")) if media.exists() else []) == files_before


def test_stock_csv_import_is_all_or_nothing_with_errors_per_row(app, world):
    staff = sign_in(app.test_client(), "surat@staff.example")
    sku = world["cloth"].variants[0].sku
    foreign = world["rooster"].variants[0].sku
    bad = f"sku,on_hand\n{sku},7\n{foreign},3\nNOPE,1\n{sku},2\n".encode()
    token = CSRF.search(staff.get("/backoffice/stock").get_data(as_text=True)).group(1)
    before = snapshot()
    response = staff.post("/backoffice/stock/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(bad), "count.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert foreign in page and "NOPE" in page and "มีซ้ำสองแถว" in page
    assert snapshot() == before
    good = f"sku,on_hand\n{sku},7\n".encode()
    staff.post("/backoffice/stock/import", content_type="multipart/form-data",
               data={"csrf_token": token, "file": (io.BytesIO(good), "count.csv")})
    db.session.rollback()
    assert db.session.get(Variant, world["cloth"].variants[0].id).stock_on_hand == 7
    export = staff.get("/backoffice/stock.csv").get_data(as_text=True)
    assert f"{sku}," in export and foreign not in export


def test_admins_add_a_tenth_centre_and_staff_accounts_without_code(app, world):
    admin = sign_in(app.test_client(), "admin@tla.example")
    response = post(admin, "/backoffice/centres/new", {"slug": "chiang-rai", "name_th": "ศูนย์เชียงราย", "name_en": "Chiang Rai",
                                                        "province_code": "57", "region": "north", "shipping_fee": "40",
                                                        "free_shipping_from": "", "active": "y"}, "/backoffice/centres/new")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    from shop.models import Centre

    db.session.rollback()
    centre = db.session.scalar(select(Centre).where(Centre.slug == "chiang-rai"))
    assert centre.province_th == "เชียงราย" and centre.shipping_fee_satang == 4000 and centre.free_shipping_from_satang is None
    assert app.test_client().get("/centres/chiang-rai").status_code == 200
    post(admin, "/backoffice/staff", {"email": "new@staff.example", "name": "New", "role": "staff", "centre_id": str(centre.id)}, "/backoffice/staff")
    re.search(r"first password: (\S+)", admin.get("/backoffice/staff").get_data(as_text=True)) or None
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "new@staff.example"))
    assert user.role == "staff" and user.centre_id == centre.id
    post(admin, f"/backoffice/staff/{user.id}/disable", {}, "/backoffice/staff")
    db.session.rollback()
    assert db.session.get(User, user.id).is_enabled is False


def test_staff_sign_in_is_rate_limited(app, world):
    client = app.test_client()
    codes = []
    for _ in range(12):
        token = csrf_token(client)
        codes.append(client.post("/account/sign-in", data={"csrf_token": token, "email": "surat@staff.example", "password": "guess guess"}).status_code)
    assert codes[:10] == [400] * 10 and codes[-1] == 429


def test_back_office_sessions_expire(app, world):
    from datetime import datetime, timedelta

    staff = sign_in(app.test_client(), "surat@staff.example")
    assert staff.get("/backoffice/").status_code == 200
    with staff.session_transaction() as session:
        session["signed_in_at"] = (datetime.now(UTC) - timedelta(hours=9)).isoformat()
    response = staff.get("/backoffice/")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_a_csv_that_is_not_utf8_is_refused_with_a_message(app, world):
    staff = sign_in(app.test_client(), "surat@staff.example")
    token = CSRF.search(staff.get("/backoffice/stock").get_data(as_text=True)).group(1)
    before = snapshot()
    response = staff.post("/backoffice/stock/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO("sku,on_hand\nผ้า,1\n".encode("cp874")), "count.csv")})
    assert response.status_code == 303
    assert "UTF-8" in staff.get("/backoffice/stock").get_data(as_text=True)
    assert snapshot() == before
