"""Settlements with the centres: statements per period, closing, adjustments, fees, commission, payouts."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Payment, SalesEntry, StatementLine, User
from shop.services.catalog.uploads import BadImage
from shop.services.errors import DomainError
from shop.services.ordering import lifecycle
from shop.services.settlements import commissions, fees, payouts, statements
from shop.services.settlements.periods import period_of
from tests.factories import cart_with, make_centre, make_product, place

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def at(day: int, month: int = 11, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)  # 10:00 in Bangkok


def person(role: str, centre=None, email: str | None = None) -> User:
    user = User(email=email or f"{role}-{centre.slug if centre else 'x'}@example.com", name=role, role=role,
                centre_id=centre.id if centre else None)
    user.set_password("a long password")
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def shop(app):
    surat = make_centre("surat", name_en="Surat Thani")
    lampang = make_centre("lampang", name_en="Lampang", province_code="52", region="north")
    cloth = make_product(surat, slug="cloth", prices=(65000,), stock=50)
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=50)
    return {"surat": surat, "lampang": lampang, "cloth": cloth.variants[0].id, "rooster": rooster.variants[0].id,
            "admin": person("admin")}


def buy(shop, *items, method="promptpay_transfer", fee=0, when=None) -> Order:
    order = place(cart_with(*items))
    lifecycle.record_payment(order.id, method=method, reference=f"pay-{order.number}", amount_satang=order.total_satang,
                             fee_satang=fee, now=when or at(10))
    db.session.rollback()
    return db.session.get(Order, order.id)


def view(shop, centre, start=NOV):
    found = statements.statement(shop["admin"], start, shop[centre].id)
    assert found is not None
    return found


def test_a_fee_splits_over_the_lines_to_the_satang_by_largest_remainder_ties_to_the_first():
    assert fees.split(100, [("a", 1), ("b", 1), ("c", 1)]) == {"a": 34, "b": 33, "c": 33}
    assert fees.split(7, [("x", 300), ("y", 500), ("z", 200)]) == {"x": 2, "y": 4, "z": 1}  # 2.1, 3.5, 1.4
    assert fees.split(0, [("x", 5)]) == {"x": 0}
    shares = fees.split(4571, [(i, w) for i, w in enumerate([65000, 5000, 25000, 25000, 5000])])
    assert sum(shares.values()) == 4571


def test_a_statement_adds_sales_less_refunds_fees_and_commission_plus_shipping(shop):
    commissions.set_rate(shop["admin"], shop["surat"].id, 1000, NOV)  # 10%
    transfer = buy(shop, (shop["cloth"], 1))  # ฿650 + ฿50 shipping, PromptPay: no fee
    card = buy(shop, (shop["cloth"], 2), (shop["rooster"], 1), method="stripe", fee=4571)  # ฿1,300 (ships free), ฿250+฿50
    line = next(ln for ln in card.lines if ln.variant_id == shop["cloth"])
    lifecycle.record_refund(card.id, "manual-r1", "stripe", {line.id: 1}, [], 65000, restock=True, now=at(20))
    surat = view(shop, "surat")
    # the card's fee over its lines 130000, 25000 and Lampang's shipping 5000 (of 160000): 3713.94, 714.22, 142.84;
    # the two satang left go to the largest remainders, .94 and .84
    assert surat.gross_satang == 65000 + 130000
    assert surat.refunds_satang == -65000
    assert surat.fees_satang == 3714
    assert surat.commission_satang == 6500 + 13000 - 6500
    assert surat.shipping_satang == 5000
    assert surat.payable_satang == 195000 - 65000 - 3714 - 13000 + 5000
    lampang = view(shop, "lampang")
    assert lampang.fees_satang == 714 + 143 and lampang.commission_satang == 0
    assert surat.fees_satang + lampang.fees_satang == 4571
    assert {ln.order_number for ln in surat.lines} == {transfer.number, card.number}


def test_closing_freezes_the_statement_and_a_later_refund_lands_in_the_next_period_naming_the_order(shop):
    order = buy(shop, (shop["cloth"], 1), when=at(10))
    statements.close_period(shop["admin"], NOV, now=at(30, hour=5))
    frozen = statements.to_csv(view(shop, "surat"), "en")
    line = order.lines[0]
    # refunded on the last day of November, after the month was closed
    lifecycle.record_refund(order.id, "manual-late", "promptpay_transfer", {line.id: 1}, [], 65000, restock=True,
                            now=at(30, hour=10))
    assert statements.to_csv(view(shop, "surat"), "en") == frozen
    december = view(shop, "surat", DEC)
    assert [(ln.kind, ln.order_number, ln.adjustment, ln.amount_satang) for ln in december.lines] == [
        ("refund", order.number, True, -65000)]
    assert "yes" in statements.to_csv(december, "en") and order.number in statements.to_csv(december, "en")


def test_every_ledger_row_is_counted_once_across_periods(shop):
    buy(shop, (shop["cloth"], 1), when=at(10))
    statements.close_period(shop["admin"], NOV, now=at(1, month=12))
    buy(shop, (shop["rooster"], 1), when=at(3, month=12))
    statements.close_period(shop["admin"], DEC, now=at(31, month=12, hour=16))
    counted = db.session.scalar(select(func.count(StatementLine.id)))
    online = db.session.scalar(select(func.count(SalesEntry.id)).where(SalesEntry.kind.in_(statements.ONLINE_KINDS)))
    assert counted == online == 4
    assert db.session.scalar(select(func.count(func.distinct(StatementLine.sales_entry_id)))) == counted


def test_periods_close_in_order_once_and_not_before_they_start(shop):
    buy(shop, (shop["cloth"], 1), when=at(10))
    with pytest.raises(statements.EarlierPeriodOpen):
        statements.close_period(shop["admin"], DEC, now=at(2, month=12))
    with pytest.raises(statements.NotStarted):
        statements.close_period(shop["admin"], date(2027, 1, 1), now=at(2, month=12))
    statements.close_period(shop["admin"], NOV, now=at(2, month=12))
    with pytest.raises(statements.AlreadyClosed):
        statements.close_period(shop["admin"], NOV, now=at(2, month=12))
    with pytest.raises(DomainError):
        statements.close_period(person("staff", shop["surat"]), DEC, now=at(2, month=12))


def test_commission_history_keeps_each_days_rate(shop):
    commissions.set_rate(shop["admin"], shop["surat"].id, 500, NOV)
    commissions.set_rate(shop["admin"], shop["surat"].id, 1000, date(2026, 11, 15))
    buy(shop, (shop["cloth"], 1), when=at(10))
    buy(shop, (shop["cloth"], 1), when=at(20))
    surat = view(shop, "surat")
    assert sorted(ln.commission_rate_bp for ln in surat.lines if ln.kind == "sale") == [500, 1000]
    assert surat.commission_satang == 3250 + 6500
    statements.close_period(shop["admin"], NOV, now=at(1, month=12))
    with pytest.raises(commissions.PeriodClosed):
        commissions.set_rate(shop["admin"], shop["surat"].id, 0, date(2026, 11, 20))
    assert commissions.parse_percent("2.75") == 275 and commissions.parse_percent("5%") == 500
    for bad in ("-1", "101", "1.234", "abc", ""):
        with pytest.raises(commissions.BadRate):
            commissions.parse_percent(bad)


def test_staff_see_their_own_centres_statement_and_nothing_of_another(shop):
    buy(shop, (shop["cloth"], 1), (shop["rooster"], 1))
    staff = person("staff", shop["surat"])
    assert [v.centre.id for v in statements.statements(staff, NOV)] == [shop["surat"].id]
    assert statements.statement(staff, NOV, shop["lampang"].id) is None
    statements.close_period(shop["admin"], NOV, now=at(1, month=12))
    assert [v.centre.id for v in statements.statements(staff, NOV)] == [shop["surat"].id]
    other = next(v for v in statements.statements(shop["admin"], NOV) if v.centre.id == shop["lampang"].id)
    assert statements.statement_by_id(staff, other.statement_id) is None
    with pytest.raises(DomainError):
        statements.summary(staff, NOV)


def test_payouts_make_a_statement_part_paid_then_paid_and_never_more(shop, tmp_path):
    buy(shop, (shop["cloth"], 1))
    statements.close_period(shop["admin"], NOV, now=at(1, month=12))
    surat = view(shop, "surat")
    assert surat.status == "unpaid" and surat.payable_satang == 70000
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(photo, "PNG")
    first = payouts.record_payout(shop["admin"], surat.statement_id, date(2026, 12, 5), 30000, "KBANK-001", photo.getvalue())
    assert first.proof_filename and payouts.proof_path(shop["admin"], first.id).is_file()
    assert view(shop, "surat").status == "part_paid"
    with pytest.raises(payouts.PayoutTooLarge):
        payouts.record_payout(shop["admin"], surat.statement_id, date(2026, 12, 6), 40001, "KBANK-002")
    with pytest.raises(BadImage):
        payouts.record_payout(shop["admin"], surat.statement_id, date(2026, 12, 6), 100, "KBANK-003", b"not a picture")
    with pytest.raises(payouts.BadPayout):
        payouts.record_payout(shop["admin"], surat.statement_id, date(2026, 12, 6), 100, "  ")
    payouts.record_payout(shop["admin"], surat.statement_id, date(2026, 12, 6), 40000, "KBANK-004")
    assert view(shop, "surat").status == "paid"
    assert payouts.proof_path(person("staff", shop["lampang"]), first.id) is None
    assert payouts.proof_path(person("staff", shop["surat"]), first.id) is not None


def test_the_admin_summary_ties_to_the_ledger_to_the_satang(shop):
    order = buy(shop, (shop["cloth"], 1), (shop["rooster"], 2), method="stripe", fee=3333, when=at(10))
    statements.close_period(shop["admin"], NOV, now=at(30, hour=5))
    lifecycle.record_refund(order.id, "manual-x", "stripe", {order.lines[0].id: 1}, [], 65000, restock=True, now=at(30, hour=9))
    buy(shop, (shop["rooster"], 1), when=at(2, month=12))
    for start in (NOV, DEC):
        found = statements.summary(shop["admin"], start)
        assert found.ties_to_ledger
    november, december = statements.summary(shop["admin"], NOV), statements.summary(shop["admin"], DEC)
    assert november.moved_satang == -65000 and december.adjustments_satang == -65000
    ledger = db.session.scalar(select(func.sum(SalesEntry.amount_satang)).where(SalesEntry.kind.in_(statements.ONLINE_KINDS)))
    assert november.counted_satang + december.counted_satang == ledger
    assert november.total("fees_satang") == 3333


def test_periods_can_be_quarters_or_weeks(app):
    assert period_of(date(2026, 11, 24), "month") == period_of(date(2026, 11, 1), "month")
    assert period_of(date(2026, 11, 24), "quarter").start == date(2026, 10, 1)
    assert period_of(date(2026, 12, 24), "quarter").end == date(2027, 1, 1)
    week = period_of(date(2026, 11, 26), "week")  # a Thursday
    assert week.start == date(2026, 11, 23) and week.end == date(2026, 11, 30)


def test_a_stripe_fee_unknown_at_payment_is_read_when_the_period_closes(shop, monkeypatch):
    order = buy(shop, (shop["cloth"], 1), method="stripe", fee=None)
    asked = []

    def fee_from_stripe(intent: str) -> int:
        asked.append(intent)
        return 2600

    monkeypatch.setattr("shop.services.payments.stripe_checkout.charge_fee", fee_from_stripe)
    statements.close_period(shop["admin"], NOV, now=at(1, month=12))
    assert asked == [f"pay-{order.number}"]
    assert db.session.scalar(select(Payment.fee_satang)) == 2600
    assert view(shop, "surat").fees_satang == 2600


def test_a_period_does_not_close_while_stripe_cannot_say_its_fees(shop, monkeypatch):
    buy(shop, (shop["cloth"], 1), method="stripe", fee=None)
    monkeypatch.setattr("shop.services.payments.stripe_checkout.charge_fee", lambda intent: None)
    with pytest.raises(statements.FeesUnknown):
        statements.close_period(shop["admin"], NOV, now=at(1, month=12))
    assert statements.closed_period(NOV) is None
