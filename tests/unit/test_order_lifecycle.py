"""The order's life has one home: every transition, and the defects of states nobody owned."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, SalesEntry, Shipment, StockMovement, User, Variant
from shop.models._base import utcnow
from shop.services.ordering import fulfilment, lifecycle
from shop.services.ordering import refunds as owed
from shop.services.ordering.lifecycle import ORDER_STEPS, SHIPMENT_STEPS, IllegalTransition
from shop.services.payments import promptpay
from shop.services.payments import refunds as payment_refunds
from tests.factories import cart_with, make_centre, make_product, place

ORDER_STATUSES = ("awaiting_payment", "slip_received", "paid", "expired", "cancelled")
SHIPMENT_STATUSES = ("to_pack", "packed", "shipped", "delivered", "cancelled")


@pytest.mark.parametrize("step", sorted(ORDER_STEPS))
@pytest.mark.parametrize("status", ORDER_STATUSES)
def test_every_order_transition_is_allowed_only_from_its_states(step, status):
    allowed, target = ORDER_STEPS[step]
    order = Order(status=status)
    if status in allowed:
        lifecycle._move_order(order, step)
        assert order.status == target
    else:
        with pytest.raises(IllegalTransition):
            lifecycle._move_order(order, step)
        assert order.status == status


@pytest.mark.parametrize("step", sorted(SHIPMENT_STEPS))
@pytest.mark.parametrize("status", SHIPMENT_STATUSES)
def test_every_parcel_transition_is_allowed_only_from_its_states(step, status):
    allowed, target = SHIPMENT_STEPS[step]
    shipment = Shipment(status=status)
    if status in allowed:
        assert lifecycle._move_shipment(shipment, step) == status
        assert shipment.status == target
    else:
        with pytest.raises(IllegalTransition):
            lifecycle._move_shipment(shipment, step)
        assert shipment.status == status


def test_the_transition_tables_cover_every_status():
    assert {t for _, t in ORDER_STEPS.values()} | set().union(*(a for a, _ in ORDER_STEPS.values())) == set(ORDER_STATUSES)
    assert {t for _, t in SHIPMENT_STEPS.values()} | set().union(*(a for a, _ in SHIPMENT_STEPS.values())) == set(SHIPMENT_STATUSES)


# --- with a database -------------------------------------------------------------------------

def _user(email: str, role: str, centre=None) -> User:
    user = User(email=email, name=email, role=role, centre_id=centre.id if centre else None)
    user.set_password("a long password")
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def paid_world(app):
    surat = make_centre("surat", province_code="84", region="south")
    lampang = make_centre("lampang", province_code="52", province_en="Lampang", region="north")
    cloth = make_product(surat, slug="cloth", prices=(65000,), stock=10)
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=10)
    order = place(cart_with((cloth.variants[0].id, 2), (rooster.variants[0].id, 1)))
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="T1", amount_satang=order.total_satang)
    admin = _user("admin@x.example", "admin")
    staff = _user("staff@x.example", "staff", surat)
    parcel = next(s for s in db.session.get(Order, order.id).shipments if s.centre_id == surat.id)
    return {"order": order, "cloth": cloth.variants[0], "rooster": rooster.variants[0], "admin": admin, "staff": staff,
            "parcel": parcel, "surat": surat}


def _stock(variant_id: int) -> tuple[int, int]:
    db.session.expire_all()
    variant = db.session.get(Variant, variant_id)
    return variant.stock_on_hand, variant.stock_reserved


def _ledger_matches_stock(variant_id: int) -> None:
    on_hand = db.session.scalar(select(func.sum(StockMovement.on_hand_delta)).where(StockMovement.variant_id == variant_id))
    reserved = db.session.scalar(select(func.sum(StockMovement.reserved_delta)).where(StockMovement.variant_id == variant_id))
    assert (on_hand, reserved) == _stock(variant_id)


def test_refunding_a_whole_parcel_cancels_it_and_it_can_no_longer_be_packed_or_shipped(paid_world):
    w = paid_world
    order = db.session.get(Order, w["order"].id)
    payment_refunds.refund(w["admin"], order.id, owed.whole_shipment(order, w["parcel"].id), [w["parcel"].id], restock=True)
    parcel = db.session.get(Shipment, w["parcel"].id)
    assert parcel.status == "cancelled"
    assert parcel.id not in [s.id for s in fulfilment.queue(w["staff"], "to_pack")]
    with pytest.raises(IllegalTransition):
        fulfilment.mark_packed(w["staff"], parcel.id)
    with pytest.raises(IllegalTransition):
        fulfilment.mark_shipped(w["staff"], parcel.id, "Thailand Post", "EX123")
    assert _stock(w["cloth"].id) == (10, 0)  # back on sale, counted once
    _ledger_matches_stock(w["cloth"].id)


def test_refunding_some_lines_takes_them_out_of_what_is_packed_and_shipped(paid_world):
    w = paid_world
    order = db.session.get(Order, w["order"].id)
    line = next(ln for ln in order.lines if ln.variant_id == w["cloth"].id)
    payment_refunds.refund(w["admin"], order.id, {line.id: 1}, [], restock=True)
    assert db.session.get(Shipment, w["parcel"].id).status == "to_pack"
    fulfilment.mark_packed(w["staff"], w["parcel"].id)
    fulfilment.mark_shipped(w["staff"], w["parcel"].id, "Thailand Post", "EX123")
    assert _stock(w["cloth"].id) == (9, 0)  # one unit left the shelf, the refunded one stayed
    _ledger_matches_stock(w["cloth"].id)


def test_refunded_units_not_put_back_are_written_off_and_not_shipped(paid_world):
    w = paid_world
    order = db.session.get(Order, w["order"].id)
    line = next(ln for ln in order.lines if ln.variant_id == w["cloth"].id)
    payment_refunds.refund(w["admin"], order.id, {line.id: 1}, [], restock=False)
    fulfilment.mark_packed(w["staff"], w["parcel"].id)
    fulfilment.mark_shipped(w["staff"], w["parcel"].id, "Thailand Post", "EX123")
    assert _stock(w["cloth"].id) == (8, 0)
    _ledger_matches_stock(w["cloth"].id)


def test_an_admin_cancels_and_refunds_a_paid_parcel_in_one_step(paid_world):
    w = paid_world
    before = db.session.scalar(select(func.sum(SalesEntry.amount_satang)).where(SalesEntry.centre_id == w["surat"].id))
    payment_refunds.cancel_and_refund(w["admin"], w["parcel"].id)
    assert db.session.get(Shipment, w["parcel"].id).status == "cancelled"
    after = db.session.scalar(select(func.sum(SalesEntry.amount_satang)).where(SalesEntry.centre_id == w["surat"].id))
    assert before - after == 2 * 65000 + w["parcel"].shipping_fee_satang
    assert owed.refund_due(db.session.get(Order, w["order"].id)).due_satang == 0
    assert _stock(w["cloth"].id) == (10, 0)


def test_a_parcel_staff_cancel_after_payment_lands_in_refunds_due(paid_world):
    w = paid_world
    fulfilment.cancel_shipment(w["staff"], w["parcel"].id)
    dues = {due.order.id: due.due_satang for due in owed.refunds_due()}
    assert dues == {w["order"].id: 2 * 65000 + w["parcel"].shipping_fee_satang}
    assert w["parcel"].id in [s.id for s in fulfilment.queue(w["admin"], "cancelled")]


def test_a_late_payment_whose_stock_is_gone_leaves_the_queue_and_can_be_refunded(app):
    centre = make_centre("yala", province_code="95", region="south")
    scarf = make_product(centre, slug="scarf", prices=(45000,), stock=1).variants[0]
    admin = _user("admin@x.example", "admin")
    late = place(cart_with((scarf.id, 1)))
    lifecycle.expire_overdue_orders(utcnow() + timedelta(days=2))
    place(cart_with((scarf.id, 1)))  # someone else took the last one
    assert promptpay.confirm_transfer(admin, late.id, "LATE", late.total_satang) == lifecycle.FLAGGED
    assert late.id not in [o.id for o in promptpay.awaiting_transfers(admin)]
    dues = {due.order.id: due.due_satang for due in owed.refunds_due()}
    assert dues == {late.id: late.total_satang}
    order = db.session.get(Order, late.id)
    lines = {line.id: line.quantity for line in order.lines}
    payment_refunds.refund(admin, late.id, lines, [s.id for s in order.shipments], restock=False)
    assert owed.refunds_due() == []
    # the late payment never counted as a sale, so its refund does not take anything from the centre
    assert db.session.scalar(select(func.count(SalesEntry.id)).where(SalesEntry.order_id == late.id, SalesEntry.kind == "sale")) == 0


def test_an_illegal_step_changes_nothing(paid_world):
    w = paid_world
    with pytest.raises(IllegalTransition):
        fulfilment.mark_delivered(w["staff"], w["parcel"].id)  # not shipped yet
    assert db.session.get(Shipment, w["parcel"].id).status == "to_pack"
    with pytest.raises(Exception):  # noqa: B017 - a paid order cannot be cancelled as unpaid
        lifecycle.cancel(w["order"].id, "changed my mind")
    assert db.session.get(Order, w["order"].id).status == "paid"


def test_an_email_waits_for_the_commit_and_a_rolled_back_order_sends_none(app):
    from shop.services.errors import OutOfStock
    from shop.services.notifications import outbox

    centre = make_centre("yala", province_code="95", region="south")
    scarf = make_product(centre, slug="scarf", prices=(45000,), stock=1).variants[0]
    outbox.clear()
    place(cart_with((scarf.id, 1)))
    assert len(outbox) == 1
    with pytest.raises(OutOfStock):
        place(cart_with((scarf.id, 1)))
    assert len(outbox) == 1
    assert not db.session.info.get("lifecycle_after_commit")
