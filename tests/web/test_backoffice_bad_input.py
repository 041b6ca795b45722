"""Back-office forms that once answered 500 (found by tests/web/test_fuzz_forms.py): a clear answer now."""
import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Product, Shipment, StockMovement, User, Variant
from shop.services.ordering import lifecycle
from shop.services.payments import refunds as payment_refunds
from tests.factories import cart_with, make_centre, make_product, place
from tests.web.helpers import csrf_token, flashed, make_user, signed_in


@pytest.fixture
def surat(app):
    centre = make_centre("surat", province_code="84", region="south")
    scarf = make_product(centre, slug="scarf", prices=(65000,), stock=10)
    make_user("staff@surat.example", "staff", centre)
    make_user("admin@tla.example", "admin")
    return {"centre": centre, "scarf": scarf}


def test_a_new_option_with_bad_fields_is_refused_with_a_message(app, surat):
    staff = signed_in(app, "staff@surat.example")
    staff.get("/language/en")
    product_id = surat["scarf"].id
    form = {"csrf_token": csrf_token(staff, f"/backoffice/products/{product_id}"), "sku": "", "price": "abc",
            "low_stock_threshold": "x"}
    response = staff.post(f"/backoffice/products/{product_id}/variants", data=form)
    assert response.status_code == 303
    page = staff.get(response.headers["Location"])
    assert "Please check the option: This field is required." in flashed(page)
    assert db.session.scalar(select(func.count(Variant.id)).where(Variant.product_id == product_id)) == 1


def test_an_admin_adding_a_product_without_a_centre_is_told_and_nothing_is_made(app, surat):
    admin = signed_in(app, "admin@tla.example")
    form = {"csrf_token": csrf_token(admin, "/backoffice/products/new"), "name_th": "ผ้าใหม่",
            "category_id": str(surat["scarf"].category_id), "otop_stars": "0", "sku": "NEW-1", "price": "100",
            "stock_on_hand": "1"}
    response = admin.post("/backoffice/products/new", data=form)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Product.id))) == 1


def held_by_order(order_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(StockMovement.reserved_delta), 0)).where(StockMovement.order_id == order_id))


@pytest.fixture
def refunded_before_shipping(app, surat):
    """A paid order of two scarves, one of them refunded and put back on the shelf before packing."""
    other = place(cart_with((surat["scarf"].variants[0].id, 3)))  # another buyer's hold on the same scarves
    order = place(cart_with((surat["scarf"].variants[0].id, 2)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    line = db.session.get(Order, order.id).lines[0]
    payment_refunds.refund(admin, order.id, {line.id: 1}, [], restock=True)
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert held_by_order(order.id) == 1
    return {"order": order, "other": other, "shipment": shipment}


def test_a_parcel_partly_refunded_before_shipping_can_still_be_cancelled(app, surat, refunded_before_shipping):
    order, shipment = refunded_before_shipping["order"], refunded_before_shipping["shipment"]
    staff = signed_in(app, "staff@surat.example")
    token = csrf_token(staff, f"/backoffice/shipments/{shipment.id}")
    response = staff.post(f"/backoffice/shipments/{shipment.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).status == "cancelled"
    assert held_by_order(order.id) == 0
    assert held_by_order(refunded_before_shipping["other"].id) == 3  # the other buyer's scarves stay held
    assert db.session.get(Variant, surat["scarf"].variants[0].id).stock_reserved == 3


def test_a_parcel_partly_refunded_before_shipping_sends_only_what_is_left(app, surat, refunded_before_shipping):
    order, shipment = refunded_before_shipping["order"], refunded_before_shipping["shipment"]
    staff = signed_in(app, "staff@surat.example")
    token = csrf_token(staff, f"/backoffice/shipments/{shipment.id}")
    assert staff.post(f"/backoffice/shipments/{shipment.id}/pack", data={"csrf_token": token}).status_code == 303
    response = staff.post(f"/backoffice/shipments/{shipment.id}/ship",
                          data={"csrf_token": token, "carrier": "Thailand Post", "tracking_number": "EF123456789TH"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).status == "shipped"
    assert held_by_order(order.id) == 0
    scarf = db.session.get(Variant, surat["scarf"].variants[0].id)
    assert (scarf.stock_on_hand, scarf.stock_reserved) == (9, 3)  # one scarf left the shelf, one went back on it
