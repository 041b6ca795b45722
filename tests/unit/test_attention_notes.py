"""An order's notes for a person are stored as codes with values and read in the reader's language,
naming centres and amounts in baht, never centre ids or satang."""
import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from shop.extensions import db
from shop.models import Order
from shop.services.ordering import attention
from shop.services.ordering import refunds as owed
from tests.factories import cart_with, make_centre, make_product, place


def an_order():
    centre = make_centre("yala", name_th="ศูนย์การเรียนรู้ยะลา", name_en="Yala learning centre", province_code="95")
    product = make_product(centre, prices=(22000,), stock=3)
    return place(cart_with((product.variants[0].id, 1))), centre


def test_a_note_reads_in_the_readers_language_with_the_centre_by_name_and_money_in_baht(app):
    order, centre = an_order()
    attention.add(order, "parcel_cancelled_after_payment", centre_id=centre.id, amount_satang=22000)
    db.session.commit()
    assert attention.messages(order, "en") == ["Parcel from Yala learning centre cancelled after payment: refund of ฿220 due."]
    assert attention.messages(order, "th") == ["พัสดุจากศูนย์การเรียนรู้ยะลาถูกยกเลิกหลังชำระเงินแล้ว: ต้องคืนเงิน ฿220"]
    for lang in ("th", "en"):
        shown = attention.messages(order, lang)[0]
        assert "22000" not in shown and f"centre {centre.id}" not in shown


def test_an_order_status_in_a_note_is_named_in_the_readers_language(app):
    order, _ = an_order()
    attention.add(order, "payment_for_closed_order", reference="TX9", amount_satang=22050, status="cancelled")
    assert attention.messages(order, "en") == ["Payment TX9 of ฿220.50 arrived for an order that is Cancelled: refund due."]
    assert "ยกเลิก" in attention.messages(order, "th")[0] and "฿220.50" in attention.messages(order, "th")[0]


def test_the_same_note_twice_is_kept_once_and_the_order_still_needs_attention(app):
    order, centre = an_order()
    assert order.attention == ""
    for _ in range(2):
        attention.add(order, "late_payment_revived", reference="LATE")
    db.session.commit()
    assert attention.flags(order) == [{"code": "late_payment_revived", "values": {"reference": "LATE"}}]
    assert db.session.scalar(db.select(Order.id).where(Order.attention != "")) == order.id  # what the queries test


def test_a_note_with_a_code_this_version_does_not_know_is_shown_as_written(app):
    assert attention.render({"code": "some new note", "values": {}}, "th") == "some new note"
    assert attention.parse("written by hand\nsecond line") == [
        {"code": "legacy", "values": {"text": "written by hand"}},
        {"code": "legacy", "values": {"text": "second line"}},
    ]


def test_the_migration_keeps_old_text_notes_as_legacy_notes_shown_as_written(app):
    order, _ = an_order()
    order_id = order.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0013_slips")  # just before 0014_message_flags
    old = "Shipment from centre 8 cancelled after payment: refund 22000 satang due\nชำระเงินหลังหมดเวลา"
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE shop_order SET attention = :t WHERE id = :id"), {"t": old, "id": order_id})
    upgrade()
    order = db.session.get(Order, order_id)
    assert [note["code"] for note in json.loads(order.attention)] == ["legacy", "legacy"]
    assert attention.messages(order, "en") == old.splitlines()
    db.session.remove()  # end the read before the schema changes (PostgreSQL waits for it)
    downgrade(revision="0013_slips")  # and back: the text is as it was
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT attention FROM shop_order WHERE id = :id"), {"id": order_id}).scalar() == old
    upgrade()


def test_refunds_due_still_finds_an_overpaid_order_by_its_note(app):
    from shop.services.ordering import lifecycle

    order, _ = an_order()
    lifecycle.record_payment(order.id, method="promptpay_transfer", reference="TX-OVER", amount_satang=order.total_satang + 5000)
    due = owed.refunds_due()
    assert [d.order.id for d in due] == [order.id]
    assert attention.messages(db.session.get(Order, order.id), "th")[0].startswith("การชำระเงิน TX-OVER จำนวน")
