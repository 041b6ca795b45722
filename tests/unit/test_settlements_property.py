"""Property test: whatever orders, payments, refunds, late payments, commission changes and closes happen,
every period's statements add up from the ledger, closed statements never change, and no ledger row
is counted twice or lost."""
from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, Payment, SalesEntry, SettlementPeriod, StatementLine, User
from shop.services.ordering import lifecycle
from shop.services.ordering import refunds as owed
from shop.services.sales.ledger import bangkok_day
from shop.services.settlements import commissions, statements
from tests.conftest import _empty_tables, examples
from tests.factories import cart_with, make_centre, make_product, place

START = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok

buy = st.tuples(st.just("buy"), st.integers(0, 12), st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=3),
                st.sampled_from(["promptpay_transfer", "stripe"]), st.integers(0, 9999))
late = st.tuples(st.just("late"), st.integers(1, 40), st.integers(0, 2), st.sampled_from(["promptpay_transfer", "stripe"]),
                 st.integers(0, 9999))
refund = st.tuples(st.just("refund"), st.integers(0, 6), st.integers(0, 50), st.integers(0, 50), st.booleans())
rate = st.tuples(st.just("rate"), st.integers(0, 1), st.integers(0, 3000), st.integers(0, 20))
close = st.tuples(st.just("close"), st.integers(0, 10))
steps = st.lists(st.one_of(buy, buy, late, refund, refund, rate, close, close), min_size=4, max_size=14)


def _world():
    db.session.remove()  # end the last example's read transaction first: PostgreSQL's TRUNCATE waits for it
    _empty_tables()
    centres = [make_centre(f"p{i}-{secrets.token_hex(3)}") for i in range(2)]
    products = [make_product(centres[0], prices=(65000,), stock=10_000), make_product(centres[0], prices=(12050,), stock=10_000),
                make_product(centres[1], prices=(33333,), stock=10_000)]
    admin = User(email=f"admin-{secrets.token_hex(3)}@example.com", name="admin", role="admin")
    admin.set_password("a long password")
    db.session.add(admin)
    db.session.commit()
    return centres, [p.variants[0].id for p in products], admin


def _pay(order: Order, method: str, fee: int, when: datetime) -> None:
    lifecycle.record_payment(order.id, method=method, reference=f"p-{order.number}-{secrets.token_hex(3)}",
                             amount_satang=order.total_satang, fee_satang=fee if method == "stripe" else 0, now=when)


def _snapshot(admin: User) -> dict[int, str]:
    """Every closed statement as its CSV, by statement."""
    db.session.rollback()
    found = {}
    for start in db.session.scalars(select(SettlementPeriod.starts_on)):
        for view in statements.statements(admin, start):
            found[view.statement_id] = statements.to_csv(view, "en")
    return found


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps)
def test_statements_add_up_from_the_ledger_and_never_change_once_closed(app, plan):
    centres, variants, admin = _world()
    clock = START
    rates: dict[int, list[tuple[date, int]]] = {c.id: [] for c in centres}
    paid: list[int] = []
    frozen: dict[int, str] = {}
    for step in plan:
        kind = step[0]
        if kind == "buy":
            _, days, items, method, fee = step
            clock += timedelta(days=days)
            order = place(cart_with(*((variants[i], q) for i, q in _merge(items))))
            _pay(order, method, fee, clock)
            paid.append(order.id)
        elif kind == "late":  # paid now, dated back: the money arrived days ago, recorded only now
            _, back, index, method, fee = step
            order = place(cart_with((variants[index], 1)))
            _pay(order, method, fee, max(START, clock - timedelta(days=back)))
            paid.append(order.id)
        elif kind == "refund" and paid:
            _, days, pick, line_pick, with_shipping = step
            clock += timedelta(days=days)
            db.session.rollback()
            order = db.session.get(Order, paid[pick % len(paid)])
            already = owed.refunded_quantities(order.id)
            line = order.lines[line_pick % len(order.lines)]
            left = line.quantity - already.get(line.id, 0)
            shipments = [line.shipment_id] if with_shipping and not any(
                r.shipping_satang for r in owed.refunds_of(order.id)) and line.shipment.shipping_fee_satang else []
            if left > 0:
                amount = line.unit_price_satang * left + sum(s.shipping_fee_satang for s in order.shipments if s.id in shipments)
                lifecycle.record_refund(order.id, f"r-{secrets.token_hex(5)}", order.payment_method, {line.id: left}, shipments,
                                        amount, restock=True, now=clock)
        elif kind == "rate":
            _, which, bp, days_ahead = step
            centre_id = centres[which].id
            starts_on = bangkok_day(clock + timedelta(days=days_ahead))
            try:
                commissions.set_rate(admin, centre_id, bp, starts_on)
            except commissions.PeriodClosed:
                continue
            rates[centre_id] = [r for r in rates[centre_id] if r[0] != starts_on] + [(starts_on, bp)]
        elif kind == "close":
            clock += timedelta(days=step[1])
            today = bangkok_day(clock)
            open_periods = [p for p, closed in statements.periods(admin, today, limit=1000) if not closed and p.start <= today]
            if not open_periods:  # today's period is closed already
                continue
            statements.close_period(admin, min(open_periods).start, now=clock)
            frozen.update(_snapshot(admin))
    # Closed statements are byte-for-byte what they were when closed.
    assert {k: v for k, v in _snapshot(admin).items() if k in frozen} == frozen
    _check_sums(admin, rates, bangkok_day(clock))


def _merge(items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: dict[int, int] = {}
    for index, quantity in items:
        merged[index] = merged.get(index, 0) + quantity
    return sorted(merged.items())


def _check_sums(admin: User, rates: dict[int, list[tuple[date, int]]], today: date) -> None:
    db.session.rollback()
    ledger = {e.id: e for e in db.session.scalars(select(SalesEntry).where(SalesEntry.kind.in_(statements.ONLINE_KINDS)))}
    seen: list[int] = []
    fees = commission = 0
    for period, _closed in statements.periods(admin, today, limit=1000):
        views = statements.statements(admin, period.start)
        summary = statements.summary(admin, period.start)
        assert summary.ties_to_ledger
        for view in views:
            rows = [ledger[line.sales_entry_id] for line in view.lines]
            assert view.gross_satang + view.refunds_satang == sum(r.amount_satang for r in rows if r.kind in ("sale", "refund"))
            assert view.shipping_satang == sum(r.amount_satang for r in rows if r.kind in ("shipping", "shipping_refund"))
            assert view.payable_satang == (view.gross_satang + view.refunds_satang - view.fees_satang - view.commission_satang
                                           + view.shipping_satang)
            seen += [line.sales_entry_id for line in view.lines]
            fees += view.fees_satang
            commission += view.commission_satang
    # No ledger row counted twice or lost.
    assert sorted(seen) == sorted(ledger)
    assert db.session.scalar(select(func.count(StatementLine.id))) == len(set(
        db.session.scalars(select(StatementLine.sales_entry_id))))
    # Every fee of a paid order is counted once, to the satang.
    sold = {e.order_id for e in ledger.values() if e.kind == "sale"}
    assert fees == sum(p.fee_satang or 0 for p in db.session.scalars(select(Payment)) if p.order_id in sold)
    # Commission: each goods row at the rate of its day, rounded half away from zero.
    expected = 0
    for entry in ledger.values():
        if entry.kind in ("sale", "refund"):
            in_force = [bp for start, bp in sorted(rates[entry.centre_id]) if start <= entry.day]
            bp = in_force[-1] if in_force else 0
            sign = -1 if entry.amount_satang < 0 else 1
            expected += sign * ((abs(entry.amount_satang) * bp + 5000) // 10000)
    assert commission == expected
