"""Workshops: sessions are variants whose stock is seats; passed sessions cannot be bought; a
paid seat needs no parcel; staff of the session's own centre mark attendance, once."""
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import AuditEntry, Shipment, StockMovement, User, Variant, WorkshopAttendance, WorkshopSession
from shop.services.errors import DomainError, NotYourCentre, SessionPassed
from shop.services.ordering import cart as carts
from shop.services.ordering import lifecycle
from shop.services.payments import refunds as payment_refunds
from shop.services.thai import to_bangkok
from shop.services.workshops import attendance, impact, sessions
from shop.services.workshops.sessions import NotAWorkshop, SessionInPast, SessionTimes
from tests.factories import cart_with, make_centre, make_product, place


def user(email, role, centre=None):
    found = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None)
    found.set_password("x" * 12)
    db.session.add(found)
    db.session.commit()
    return found


def add_session(actor, product, days_ahead=7, seats=10, price=35000, start=time(9, 0), end=time(11, 0)):
    day = (to_bangkok(datetime.now(UTC)) + timedelta(days=days_ahead)).date()
    return sessions.add_session(actor, product.id, day, start, end, "ห้องสมุดประชาชนจังหวัดสุราษฎร์ธานี",
                                "Surat Thani public library", seats, price)


def pay(order):
    return lifecycle.record_payment(order.id, method="promptpay_transfer", reference=f"T-{order.number}",
                                    amount_satang=order.total_satang)


@pytest.fixture
def world(app):
    surat = make_centre("surat-thani")
    yala = make_centre("yala", province_code="95")
    workshop = make_product(surat, slug="leaf-printing-workshop", prices=(1,), stock=0, kind="workshop")
    workshop.variants[0].active = False  # the factory's plain variant is not a session
    db.session.commit()
    scarf = make_product(surat, slug="scarf", prices=(45000,), stock=5)
    staff = user("staff@surat.example", "staff", surat)
    session = add_session(staff, workshop)
    return {"surat": surat, "yala": yala, "workshop": workshop, "scarf": scarf, "staff": staff, "session": session,
            "yala_staff": user("staff@yala.example", "staff", yala), "admin": user("admin@tla.example", "admin")}


def test_a_session_is_a_variant_whose_stock_is_its_seats_in_bangkok_time(world):
    session = db.session.get(WorkshopSession, world["session"].id)
    assert session.variant.stock_on_hand == 10 and session.variant.price_satang == 35000
    assert to_bangkok(session.starts_at).hour == 9 and to_bangkok(session.ends_at).hour == 11
    receive = db.session.scalar(select(StockMovement).where(StockMovement.variant_id == session.variant_id))
    assert receive.on_hand_delta == 10 and receive.reason == "receive"


def test_sessions_are_refused_for_the_past_backwards_times_other_kinds_and_other_centres(world):
    with pytest.raises(SessionInPast):
        add_session(world["staff"], world["workshop"], days_ahead=-1)
    with pytest.raises(SessionTimes):
        add_session(world["staff"], world["workshop"], start=time(11, 0), end=time(9, 0))
    with pytest.raises(NotAWorkshop):
        add_session(world["staff"], world["scarf"])
    with pytest.raises(DomainError):
        add_session(world["yala_staff"], world["workshop"])
    assert db.session.scalar(select(func.count(WorkshopSession.id))) == 1


def test_a_passed_session_is_refused_in_the_cart_and_at_place_order(world):
    variant_id = world["session"].variant_id
    cart = cart_with((variant_id, 1))
    later = to_bangkok(datetime.now(UTC)) + timedelta(days=8)
    with pytest.raises(SessionPassed):
        place(cart, now=later)
    # once it has started, the cart refuses it and flags it
    found = db.session.get(WorkshopSession, world["session"].id)
    found.starts_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(SessionPassed) as refused:
        carts.add_item(cart_with(), variant_id, 1)
    assert "จองไม่ได้อีก" in str(refused.value.message)  # the Thai message (the shop's default language)
    assert [line.problem for line in carts.summarise(cart).lines] == ["session_passed"]
    with pytest.raises(SessionPassed):
        place(cart)
    assert db.session.get(Variant, variant_id).stock_reserved == 0


def test_a_paid_seat_is_taken_and_needs_no_parcel_or_shipping(world):
    variant_id = world["session"].variant_id
    order = place(cart_with((variant_id, 2)))
    assert order.shipping_satang == 0 and order.total_satang == 70000
    assert pay(order) == lifecycle.PAID
    db.session.expire_all()
    variant = db.session.get(Variant, variant_id)
    assert (variant.stock_on_hand, variant.stock_reserved, variant.available) == (8, 0, 8)
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert shipment.status == "delivered" and all(line.no_parcel for line in shipment.lines)


def test_a_seat_with_goods_charges_shipping_for_the_goods_only_and_packs_only_them(world):
    order = place(cart_with((world["session"].variant_id, 1), (world["scarf"].variants[0].id, 1)))
    assert order.shipping_satang == world["surat"].shipping_fee_satang
    pay(order)
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert shipment.status == "to_pack"
    assert lifecycle.to_send(shipment) == [(world["scarf"].variants[0].id, 1)]


def test_a_refunded_seat_goes_back_on_sale(world):
    variant_id = world["session"].variant_id
    order = place(cart_with((variant_id, 1)))
    pay(order)
    line = order.lines[0]
    payment_refunds.refund(world["admin"], order.id, {line.id: 1}, [], restock=True)
    db.session.expire_all()
    assert db.session.get(Variant, variant_id).available == 10
    assert attendance.participants(world["staff"], world["session"].id) == []


def test_attendance_twice_counts_once_and_can_be_undone(world):
    order = place(cart_with((world["session"].variant_id, 2)))
    pay(order)
    line_id = order.lines[0].id
    session_id = world["session"].id
    assert impact.figures().people_trained == 0
    assert attendance.mark_attended(world["staff"], session_id, line_id) is True
    assert attendance.mark_attended(world["staff"], session_id, line_id) is False
    assert impact.figures().people_trained == 2 == impact.trained_people(world["surat"].id)
    assert db.session.scalar(select(func.count(WorkshopAttendance.id))) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "workshop.attended")) == 1
    assert attendance.unmark_attended(world["staff"], session_id, line_id) is True
    assert impact.figures().people_trained == 0


def test_staff_of_another_centre_can_neither_see_nor_mark_the_session(world):
    order = place(cart_with((world["session"].variant_id, 1)))
    pay(order)
    session_id = world["session"].id
    assert attendance.participants(world["yala_staff"], session_id) is None
    assert sessions.session_for(world["yala_staff"], session_id) is None
    with pytest.raises(DomainError):
        attendance.mark_attended(world["yala_staff"], session_id, order.lines[0].id)
    assert impact.figures().people_trained == 0


def test_an_unpaid_booking_cannot_be_marked_attended(world):
    order = place(cart_with((world["session"].variant_id, 1)))
    with pytest.raises(attendance.NotAParticipant):
        attendance.mark_attended(world["staff"], world["session"].id, order.lines[0].id)


def test_participants_list_names_phone_email_order_and_seats(world):
    order = place(cart_with((world["session"].variant_id, 3)))
    pay(order)
    [row] = attendance.participants(world["admin"], world["session"].id)
    assert (row.order.contact_name, row.order.phone, row.order.number, row.seats, row.attended) == (
        "สมชาย ใจดี", "0812345678", order.number, 3, 0)


def test_trained_baselines_import_all_or_nothing_with_clear_messages(world):
    rows = [
        {"centre": "surat-thani", "year": "2021", "people": "12,500"},
        {"centre": "nowhere", "year": "2021", "people": "1"},
        {"centre": "yala", "year": "21", "people": "1"},
        {"centre": "yala", "year": "2022", "people": "many"},
        {"centre": "surat-thani", "year": "2021", "people": "3"},
    ]
    errors = impact.import_trained_baselines(world["admin"], rows)
    assert [e.line for e in errors] == [3, 4, 5, 6]
    messages = " | ".join(e.message for e in errors)
    assert "nowhere" in messages and "2021" in messages and "many" in messages and "ซ้ำ" in messages
    assert impact.figures().people_trained == 0
    assert impact.import_trained_baselines(world["admin"], rows[:1]) == []
    assert impact.figures().people_trained == 12_500
    again = impact.import_trained_baselines(world["admin"], rows[:1])
    assert len(again) == 1 and "อยู่แล้ว" in again[0].message
    assert impact.import_trained_baselines(world["admin"], [])[0].message
    with pytest.raises(NotYourCentre):
        impact.import_trained_baselines(world["staff"], rows[:1])


def test_figures_count_otop_products_centres_and_provinces(world):
    world["scarf"].otop = True
    db.session.commit()
    figures = impact.figures()
    assert (figures.otop_products, figures.centres, figures.provinces) == (1, 2, 2)
