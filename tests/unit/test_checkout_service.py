"""services.checkout: orders split per centre, stock held and released, payments recorded once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Payment, StockMovement, Variant
from shop.models._base import utcnow
from shop.services.errors import CartHasProblems, EmptyCart, OutOfStock, PriceChanged
from shop.services.money import format_baht
from shop.services.notifications import outbox
from shop.services.ordering import attention, checkout, lifecycle
from shop.services.ordering import cart as carts
from shop.services.thai import as_utc
from tests.factories import cart_with, make_centre, make_product, place


def variant(product, index=0) -> Variant:
    return db.session.get(Variant, product.variants[index].id)


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def assert_ledger_matches_stock():
    for v in db.session.scalars(select(Variant)):
        on_hand, reserved = db.session.execute(
            select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0), func.coalesce(func.sum(StockMovement.reserved_delta), 0))
            .where(StockMovement.variant_id == v.id)
        ).one()
        assert (on_hand, reserved) == (v.stock_on_hand, v.stock_reserved), v.sku


@pytest.fixture
def two_centres(app):
    surat = make_centre("surat", province_code="84", province_th="สุราษฎร์ธานี", region="south",
                        shipping_fee_satang=5000, free_shipping_from_satang=100000)
    lampang = make_centre("lampang", province_code="52", province_th="ลำปาง", province_en="Lampang",
                          region="north", shipping_fee_satang=6000, free_shipping_from_satang=None)
    cloth = make_product(surat, slug="cloth", prices=(125000, 65000), stock=(3, 5))
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=2)
    return cloth, rooster


def test_one_order_with_a_shipment_per_centre_and_lines_tagged_to_their_centre(two_centres):
    cloth, rooster = two_centres
    cart = cart_with((cloth.variants[1].id, 1), (rooster.variants[0].id, 2))
    order = place(cart)
    order = fresh(Order, order.id)
    assert order.status == "awaiting_payment"
    assert len(order.shipments) == 2
    by_centre = {s.centre.slug: s for s in order.shipments}
    assert by_centre["surat"].shipping_fee_satang == 5000  # ฿650 is under the ฿1,000 threshold
    assert by_centre["lampang"].shipping_fee_satang == 6000
    assert order.subtotal_satang == 65000 + 2 * 25000
    assert order.shipping_satang == 11000
    assert order.total_satang == order.subtotal_satang + order.shipping_satang
    for line in order.lines:
        assert line.centre_id == line.shipment.centre_id
    assert {(ln.sku, ln.province_code, ln.region, ln.unit_price_satang, ln.quantity) for ln in order.lines} == {
        (cloth.variants[1].sku, "84", "south", 65000, 1),
        (rooster.variants[0].sku, "52", "north", 25000, 2),
    }
    assert order.lines[0].product_name_th.startswith("สินค้าทดสอบ")
    assert carts.summarise(db.session.get(type(cart), cart.id)).is_empty


def test_shipping_is_free_from_the_centres_threshold(two_centres):
    cloth, _ = two_centres
    order = place(cart_with((cloth.variants[0].id, 1)))  # ฿1,250 >= ฿1,000
    assert fresh(Order, order.id).shipping_satang == 0


def test_placing_an_order_holds_stock_and_writes_the_ledger(two_centres):
    cloth, rooster = two_centres
    place(cart_with((rooster.variants[0].id, 2)))
    held = variant(rooster)
    db.session.refresh(held)
    assert (held.stock_on_hand, held.stock_reserved, held.available) == (2, 2, 0)
    reasons = db.session.scalars(select(StockMovement.reason).where(StockMovement.variant_id == held.id).order_by(StockMovement.id)).all()
    assert reasons == ["initial", "reserve"]
    assert_ledger_matches_stock()


def test_a_replayed_place_order_makes_one_order(two_centres):
    cloth, _ = two_centres
    cart = cart_with((cloth.variants[1].id, 2))
    fingerprint = carts.summarise(cart).fingerprint()
    first = place(cart, key="a" * 32, fingerprint=fingerprint)
    second = place(cart, key="a" * 32, fingerprint=fingerprint)
    assert first.id == second.id
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert fresh(Variant, cloth.variants[1].id).stock_reserved == 2


def test_a_place_order_token_is_good_only_for_the_cart_it_was_made_for(two_centres):
    cloth, _ = two_centres
    mine, theirs = cart_with((cloth.variants[1].id, 1)), cart_with((cloth.variants[1].id, 1))
    token = checkout.place_order_token(mine)
    assert len(token) == 32 and int(token, 16) >= 0
    assert checkout.is_place_order_token(token, mine)
    assert not checkout.is_place_order_token(token, theirs)
    assert not checkout.is_place_order_token(token, None)
    assert not checkout.is_place_order_token(token[:31] + ("0" if token[31] != "0" else "1"), mine)
    assert not checkout.is_place_order_token("a" * 32, mine)
    assert checkout.place_order_token(mine) != token


def test_a_price_change_after_review_is_refused_and_changes_nothing(two_centres):
    cloth, _ = two_centres
    cart = cart_with((cloth.variants[1].id, 1))
    reviewed = carts.summarise(cart).fingerprint()
    v = variant(cloth, 1)
    v.price_satang = 70000
    db.session.commit()
    with pytest.raises(PriceChanged):
        place(cart, fingerprint=reviewed)
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert fresh(Variant, v.id).stock_reserved == 0
    assert not carts.summarise(cart).is_empty


def test_not_enough_stock_refuses_the_whole_order(two_centres):
    cloth, rooster = two_centres
    cart = cart_with((cloth.variants[0].id, 1), (rooster.variants[0].id, 2))
    place(cart_with((rooster.variants[0].id, 1)))  # someone else takes one rooster
    fingerprint = carts.summarise(cart).fingerprint()
    with pytest.raises((OutOfStock, CartHasProblems)):
        place(cart, fingerprint=fingerprint)
    assert fresh(Variant, cloth.variants[0].id).stock_reserved == 0  # nothing half-done
    assert db.session.scalar(select(func.count(Order.id))) == 1


def test_an_archived_product_in_the_cart_blocks_checkout(two_centres):
    cloth, rooster = two_centres
    cart = cart_with((cloth.variants[0].id, 1), (rooster.variants[0].id, 1))
    product = db.session.get(type(cloth), cloth.id)
    product.status = "archived"
    db.session.commit()
    summary = carts.summarise(cart)
    assert [ln.problem for ln in summary.lines] == ["unavailable", ""]
    with pytest.raises(CartHasProblems):
        place(cart, fingerprint=summary.fingerprint())


def test_an_empty_cart_cannot_be_ordered(app):
    with pytest.raises(EmptyCart):
        place(carts.new_cart(), fingerprint="0" * 32)


def test_an_unpaid_order_expires_and_its_stock_returns(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 2)))
    assert lifecycle.expire_overdue_orders(utcnow()) == 0  # not yet
    later = utcnow() + timedelta(hours=24, minutes=1)
    assert lifecycle.expire_overdue_orders(later) == 1
    order = fresh(Order, order.id)
    assert order.status == "expired"
    assert all(s.status == "cancelled" for s in order.shipments)
    assert fresh(Variant, rooster.variants[0].id).stock_reserved == 0
    assert lifecycle.expire_overdue_orders(later) == 0  # once only
    assert_ledger_matches_stock()


def test_the_promptpay_hold_is_24_hours_by_default(two_centres):
    _, rooster = two_centres
    before = utcnow()
    order = fresh(Order, place(cart_with((rooster.variants[0].id, 1)), now=before).id)  # the clock the hold starts from
    held = as_utc(order.reserved_until) - before
    assert timedelta(hours=23, minutes=59) < held <= timedelta(hours=24, seconds=5)


def test_a_payment_marks_the_order_paid_once(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 1)))
    total = order.total_satang
    assert lifecycle.record_payment(order.id, method="promptpay_transfer", reference="TX1", amount_satang=total) == "paid"
    assert lifecycle.record_payment(order.id, method="promptpay_transfer", reference="TX1", amount_satang=total) == "duplicate"
    order = fresh(Order, order.id)
    assert order.status == "paid" and order.paid_at is not None
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert outbox[-1]["Subject"].startswith("ได้รับชำระเงิน") or order.number in outbox[-1]["Subject"]


def test_a_wrong_amount_is_flagged_and_never_marks_the_order_paid(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 1)))
    outcome = lifecycle.record_payment(order.id, method="promptpay_transfer", reference="TX2", amount_satang=100)
    order = fresh(Order, order.id)
    assert outcome == "flagged" and order.status == "awaiting_payment"
    assert attention.messages(order, "en") == [f"Payment TX2 of ฿1 does not match the total {format_baht(order.total_satang)}: "
                                               "check it and refund or collect the difference."]


def test_a_late_payment_revives_the_order_when_the_stock_is_still_there(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 2)))
    lifecycle.expire_overdue_orders(utcnow() + timedelta(days=2))
    outcome = lifecycle.record_payment(order.id, method="promptpay_transfer", reference="LATE", amount_satang=order.total_satang)
    order = fresh(Order, order.id)
    assert outcome == "revived" and order.status == "paid"
    assert all(s.status == "to_pack" for s in order.shipments)
    assert fresh(Variant, rooster.variants[0].id).stock_reserved == 2
    assert_ledger_matches_stock()


def test_a_late_payment_is_flagged_for_refund_when_the_stock_is_gone(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 2)))
    lifecycle.expire_overdue_orders(utcnow() + timedelta(days=2))
    place(cart_with((rooster.variants[0].id, 1)))  # the units went to someone else
    outcome = lifecycle.record_payment(order.id, method="promptpay_transfer", reference="LATE2", amount_satang=order.total_satang)
    order = fresh(Order, order.id)
    assert outcome == "flagged" and order.status == "expired"
    assert attention.messages(order, "en") == [f"Paid after the reservation expired (LATE2) and the stock is gone: "
                                               f"refund of {format_baht(order.total_satang)} due."]
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.reference == "LATE2")) == 1  # never lost
    assert_ledger_matches_stock()


def test_a_customer_can_cancel_an_unpaid_order(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 1)))
    lifecycle.cancel(order.id, "cancelled by the customer")
    assert fresh(Order, order.id).status == "cancelled"
    assert fresh(Variant, rooster.variants[0].id).stock_reserved == 0
    assert_ledger_matches_stock()


def test_the_confirmation_email_is_in_the_customers_language(two_centres):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 1)), lang="en")
    message = outbox[-1]
    assert message["To"] == "buyer@example.com"
    assert message["Subject"] == f"Your order {order.number} at Relearn Shop"
    assert "key=" in message.get_content()
    place(cart_with((rooster.variants[0].id, 1)), lang="th")
    assert "คำสั่งซื้อ" in outbox[-1]["Subject"]


def test_the_expire_reservations_command_returns_stock(two_centres, runner):
    _, rooster = two_centres
    order = place(cart_with((rooster.variants[0].id, 2)))
    order.reserved_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["expire-reservations"])
    assert result.exit_code == 0, result.output
    assert "1 unpaid orders expired" in result.output
    assert fresh(Variant, rooster.variants[0].id).stock_reserved == 0


def test_the_demo_seed_starts_the_stock_ledger(runner):
    runner.invoke(args=["seed-demo"])
    assert_ledger_matches_stock()
    assert db.session.scalar(select(func.count(StockMovement.id))) > 40


@pytest.mark.parametrize("lang, prefix", [("th", "/orders/"), ("en", "/en/orders/")])
def test_the_order_email_links_to_the_order_page_in_the_customers_language(two_centres, lang, prefix):
    product = db.session.scalars(select(Variant)).first()
    order = place(cart_with((product.id, 1)), lang=lang)
    link = outbox[-1].get_body(("plain",)).get_content()
    assert checkout.order_url(order) in link
    assert f"{prefix}{order.number}?key=" in checkout.order_url(order)


def test_two_buyers_drawing_the_same_order_number_at_once_both_get_an_order(two_centres, monkeypatch):
    """Each checks that its number is free before either commits: the later insert hits the unique
    number, and that buyer tries again with another number instead of seeing an error."""
    cloth, rooster = two_centres
    first = place(cart_with((rooster.variants[0].id, 1)))
    drawn = iter([first.number, first.number[:-4] + "9999"])  # the first draw is the one just taken
    monkeypatch.setattr(checkout, "_new_order_number", lambda now: next(drawn))
    second = place(cart_with((cloth.variants[1].id, 1)))
    assert second.number.endswith("-9999") and second.id != first.id
    assert db.session.scalar(select(func.count(Order.id))) == 2
    assert fresh(Variant, cloth.variants[1].id).stock_reserved == 1
    assert_ledger_matches_stock()
