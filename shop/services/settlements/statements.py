"""Statements per centre and period: live while the period is open, written once when it closes."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.extensions import begin_write, db
from shop.models import (
    Centre,
    Order,
    Payment,
    Payout,
    SalesEntry,
    SettlementPeriod,
    Statement,
    StatementLine,
    User,
)
from shop.models._base import utcnow
from shop.services.errors import DomainError
from shop.services.payments import stripe_checkout
from shop.services.pdf import render_pdf
from shop.services.people import audit
from shop.services.people.scope import require_centre
from shop.services.sales.ledger import bangkok_day
from shop.services.settlements import commissions, fees
from shop.services.settlements.periods import Period, following, period_of
from shop.services.thai import bahttext, format_date

ONLINE_KINDS = ("sale", "refund", "shipping", "shipping_refund")
GOODS_KINDS = ("sale", "refund")


class NotStarted(DomainError):
    message = _l("That period has not started yet.")


class AlreadyClosed(DomainError):
    message = _l("That period is already closed.")


class EarlierPeriodOpen(DomainError):
    message = _l("An earlier period with sales is still open. Please close the periods in order.")


class FeesUnknown(DomainError):
    message = _l("Stripe's fees for some payments could not be read just now, so the period was not closed. Please try again in a minute.")


@dataclass
class Line:
    sales_entry_id: int
    order_id: int
    order_number: str
    day: date
    kind: str
    amount_satang: int
    fee_satang: int
    commission_rate_bp: int
    commission_satang: int
    adjustment: bool


@dataclass
class StatementView:
    """One centre's statement for one period, closed (from its rows) or open (worked out now)."""

    period: Period
    centre: Centre
    closed: bool
    lines: list[Line]
    offline_satang: int
    baseline_satang: int
    statement_id: int | None = None
    centre_name_th: str = ""
    centre_name_en: str = ""
    payouts: list[Payout] = field(default_factory=list)

    def _sum(self, attribute: str, kinds: tuple[str, ...] = ONLINE_KINDS) -> int:
        return sum(getattr(line, attribute) for line in self.lines if line.kind in kinds)

    @property
    def gross_satang(self) -> int:
        return self._sum("amount_satang", ("sale",))

    @property
    def refunds_satang(self) -> int:
        return self._sum("amount_satang", ("refund",))

    @property
    def fees_satang(self) -> int:
        return self._sum("fee_satang")

    @property
    def commission_satang(self) -> int:
        return self._sum("commission_satang")

    @property
    def shipping_satang(self) -> int:
        return self._sum("amount_satang", ("shipping", "shipping_refund"))

    @property
    def payable_satang(self) -> int:
        return self.gross_satang + self.refunds_satang - self.fees_satang - self.commission_satang + self.shipping_satang

    @property
    def paid_satang(self) -> int:
        return sum(payout.amount_satang for payout in self.payouts)

    @property
    def status(self) -> str:
        if not self.closed:
            return "open"
        if self.payable_satang <= 0:
            return "nothing_due"
        if self.paid_satang >= self.payable_satang:
            return "paid"
        return "part_paid" if self.paid_satang else "unpaid"

    def centre_name(self, lang: str) -> str:
        if self.closed:
            return self.centre_name_en if lang == "en" and self.centre_name_en else self.centre_name_th
        return self.centre.localised("name", lang)


# --- Which ledger rows fall in which period ----------------------------------------------------

def _closed_periods() -> list[SettlementPeriod]:
    return list(db.session.scalars(select(SettlementPeriod).order_by(SettlementPeriod.starts_on)))


def _target(day: date, closed: list[SettlementPeriod]) -> tuple[Period, bool]:
    """The open period a ledger row not yet in any statement belongs to, and whether it is an adjustment.

    A row dated in a closed period (recorded after closing) goes to the first open period after it.
    """
    starts = {p.starts_on: p for p in closed}
    home = next((p for p in closed if p.starts_on <= day < p.ends_on), None)
    if home is None:
        return period_of(day), False
    period = period_of(home.ends_on)
    while period.start in starts:
        period = period_of(starts[period.start].ends_on)
    return period, True


def _pending(before: date, centre_id: int | None = None) -> list[SalesEntry]:
    """Online ledger rows dated before `before` that no closed statement counts yet."""
    stmt = (select(SalesEntry)
            .outerjoin(StatementLine, StatementLine.sales_entry_id == SalesEntry.id)
            .where(StatementLine.id.is_(None), SalesEntry.kind.in_(ONLINE_KINDS), SalesEntry.day < before)
            .order_by(SalesEntry.id))
    if centre_id is not None:
        stmt = stmt.where(SalesEntry.centre_id == centre_id)
    return list(db.session.scalars(stmt))


def _fee_shares(order_ids: set[int]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Each order's payment fees split over its lines: {order line: fee}, {(order, centre): shipping's fee}."""
    if not order_ids:
        return {}, {}
    paid = {order_id: int(fee or 0) for order_id, fee in db.session.execute(
        select(Payment.order_id, func.sum(func.coalesce(Payment.fee_satang, 0)))
        .where(Payment.order_id.in_(order_ids)).group_by(Payment.order_id))}
    by_line: dict[int, int] = {}
    by_shipping: dict[tuple[int, int], int] = {}
    orders = db.session.scalars(select(Order).where(Order.id.in_([o for o, fee in paid.items() if fee]))
                                .options(selectinload(Order.lines), selectinload(Order.shipments)))
    for order in orders:
        parts: list[tuple[tuple[str, int], int]] = [(("line", line.id), line.line_total_satang) for line in sorted(order.lines, key=lambda ln: ln.id)]
        parts += [(("ship", s.id), s.shipping_fee_satang) for s in sorted(order.shipments, key=lambda s: s.id) if s.shipping_fee_satang]
        shares = fees.split(paid[order.id], parts)
        centres = {s.id: s.centre_id for s in order.shipments}
        for (part, ident), share in shares.items():
            if part == "line":
                by_line[ident] = share
            else:
                by_shipping[(order.id, centres[ident])] = share
    return by_line, by_shipping


def _lines(entries: list[SalesEntry], period: Period) -> dict[int, list[Line]]:
    """Statement lines per centre for these ledger rows: each sale and shipping row carries its fee share."""
    order_ids = {e.order_id for e in entries if e.order_id is not None}
    numbers = {order_id: number for order_id, number in db.session.execute(select(Order.id, Order.number).where(Order.id.in_(order_ids)))}
    line_fees, shipping_fees = _fee_shares(order_ids)
    rates = commissions.rates()
    per_centre: dict[int, list[Line]] = defaultdict(list)
    for entry in entries:
        order_id = entry.order_id or 0
        fee = 0
        if entry.kind == "sale" and entry.order_line_id is not None:
            fee = line_fees.get(entry.order_line_id, 0)
        elif entry.kind == "shipping":
            fee = shipping_fees.get((order_id, entry.centre_id), 0)
        rate = rates.on(entry.centre_id, entry.day) if entry.kind in GOODS_KINDS else 0
        per_centre[entry.centre_id].append(Line(
            sales_entry_id=entry.id, order_id=order_id, order_number=numbers.get(order_id, ""), day=entry.day,
            kind=entry.kind, amount_satang=entry.amount_satang, fee_satang=fee, commission_rate_bp=rate,
            commission_satang=commissions.commission(entry.amount_satang, rate), adjustment=entry.day < period.start))
    return per_centre


def _information(period: Period, kind: str) -> dict[int, int]:
    """Offline sales or baselines per centre dated in the period (the centre holds that money)."""
    rows = db.session.execute(
        select(SalesEntry.centre_id, func.sum(SalesEntry.amount_satang))
        .where(SalesEntry.kind == kind, SalesEntry.day >= period.start, SalesEntry.day < period.end)
        .group_by(SalesEntry.centre_id))
    return {centre_id: int(amount or 0) for centre_id, amount in rows}


def _open_views(period: Period, centres: list[Centre]) -> list[StatementView]:
    closed = _closed_periods()
    only = centres[0].id if len(centres) == 1 else None
    entries = [e for e in _pending(period.end, only) if _target(e.day, closed)[0] == period]
    lines = _lines(entries, period)
    offline, baseline = _information(period, "offline"), _information(period, "baseline")
    return [StatementView(period, centre, False, lines.get(centre.id, []), int(offline.get(centre.id, 0)),
                          int(baseline.get(centre.id, 0))) for centre in centres]


def _closed_view(statement: Statement) -> StatementView:
    period = Period(statement.period.starts_on, statement.period.ends_on)
    lines = [Line(sales_entry_id=row.sales_entry_id, order_id=row.order_id, order_number=row.order_number, day=row.day,
                  kind=row.kind, amount_satang=row.amount_satang, fee_satang=row.fee_satang,
                  commission_rate_bp=row.commission_rate_bp, commission_satang=row.commission_satang, adjustment=row.adjustment)
             for row in statement.lines]
    return StatementView(period, statement.centre, True, lines, statement.offline_satang, statement.baseline_satang,
                         statement_id=statement.id, centre_name_th=statement.centre_name_th,
                         centre_name_en=statement.centre_name_en, payouts=list(statement.payouts))


# --- Reading ------------------------------------------------------------------------------------

def closed_period(start: date) -> SettlementPeriod | None:
    return db.session.scalar(select(SettlementPeriod).where(SettlementPeriod.starts_on == start))


def period_for(start: date) -> Period:
    row = closed_period(start)
    return Period(row.starts_on, row.ends_on) if row else period_of(start)


def _centres(actor: User) -> list[Centre]:
    stmt = select(Centre).order_by(Centre.id)
    if not actor.is_admin:
        stmt = stmt.where(Centre.id == (actor.centre_id if actor.role == "staff" else -1))
    return list(db.session.scalars(stmt))


def statements(actor: User, start: date) -> list[StatementView]:
    """Every statement of the period the actor may see (staff: their centre's only)."""
    centres = _centres(actor)
    row = closed_period(start)
    if row is None:
        return _open_views(period_of(start), centres) if centres else []
    allowed = {c.id for c in centres}
    found = db.session.scalars(select(Statement).where(Statement.period_id == row.id, Statement.centre_id.in_(allowed))
                               .options(selectinload(Statement.lines), selectinload(Statement.payouts))
                               .order_by(Statement.centre_id))
    return [_closed_view(s) for s in found]


def statement(actor: User, start: date, centre_id: int) -> StatementView | None:
    """One centre's statement for the period, or None when the actor may not see it."""
    try:
        require_centre(actor, centre_id)
    except DomainError:
        return None
    return next((view for view in statements(actor, start) if view.centre.id == centre_id), None)


def statement_by_id(actor: User, statement_id: int) -> Statement | None:
    found = db.session.get(Statement, statement_id)
    if found is None or not (actor.is_admin or (actor.role == "staff" and actor.centre_id == found.centre_id)):
        return None
    return found


def periods(actor: User, today: date, limit: int = 24) -> list[tuple[Period, bool]]:
    """(period, closed) newest first: the closed ones, and the open ones from the oldest pending row to today's."""
    closed = _closed_periods()
    found = {Period(p.starts_on, p.ends_on): True for p in closed}
    current = period_of(today)
    oldest, newest = db.session.execute(
        select(func.min(SalesEntry.day), func.max(SalesEntry.day))
        .outerjoin(StatementLine, StatementLine.sales_entry_id == SalesEntry.id)
        .where(StatementLine.id.is_(None), SalesEntry.kind.in_(ONLINE_KINDS))).one()
    period = _target(oldest, closed)[0] if oldest else current
    # Rows recorded after today's period closed wait in the next one: list it too.
    last = max(current, _target(newest, closed)[0]) if newest else current
    while period.start <= last.start:
        if period.start not in {p.start for p in found}:
            found[period] = False
        period = following(period)
    if current.start not in {p.start for p in found}:
        found[current] = False
    return sorted(found.items(), reverse=True)[:limit]


@dataclass(frozen=True)
class Summary:
    """All centres for a period, and how their total ties to the ledger to the satang."""

    period: Period
    closed: bool
    views: list[StatementView]
    ledger_satang: int  # online goods and shipping rows dated in the period
    adjustments_satang: int  # rows from earlier closed periods, counted here
    moved_satang: int  # rows dated in the period but counted in a later one (recorded after closing)

    def total(self, attribute: str) -> int:
        return sum(getattr(view, attribute) for view in self.views)

    @property
    def counted_satang(self) -> int:
        return sum(line.amount_satang for view in self.views for line in view.lines)

    @property
    def ties_to_ledger(self) -> bool:
        return self.counted_satang == self.ledger_satang + self.adjustments_satang - self.moved_satang


def summary(actor: User, start: date) -> Summary:
    if not actor.is_admin:
        raise DomainError()
    views = statements(actor, start)
    period = period_for(start)
    ledger = int(db.session.scalar(select(func.coalesce(func.sum(SalesEntry.amount_satang), 0)).where(
        SalesEntry.kind.in_(ONLINE_KINDS), SalesEntry.day >= period.start, SalesEntry.day < period.end)) or 0)
    counted_ids = {line.sales_entry_id for view in views for line in view.lines}
    in_period = {entry_id: amount for entry_id, amount in db.session.execute(select(SalesEntry.id, SalesEntry.amount_satang).where(
        SalesEntry.kind.in_(ONLINE_KINDS), SalesEntry.day >= period.start, SalesEntry.day < period.end))}
    adjustments = sum(line.amount_satang for view in views for line in view.lines if line.adjustment)
    moved = sum(amount for entry_id, amount in in_period.items() if entry_id not in counted_ids)
    return Summary(period, bool(views) and views[0].closed, views, ledger, adjustments, moved)


# --- Closing ------------------------------------------------------------------------------------

def close_period(actor: User, start: date, now: datetime | None = None) -> SettlementPeriod:
    """An admin closes a period: each centre's statement and lines are written once, never to change."""
    if not actor.is_admin:
        raise DomainError()
    now = now or utcnow()
    period = period_of(start)
    if period.start > bangkok_day(now):
        raise NotStarted()
    if closed_period(period.start) is not None:
        raise AlreadyClosed()
    closed = _closed_periods()
    pending = _pending(period.end)
    if any(_target(e.day, closed)[0].start < period.start for e in pending):
        raise EarlierPeriodOpen()
    mine = [e for e in pending if _target(e.day, closed)[0] == period]
    if stripe_checkout.record_missing_fees(sorted({e.order_id for e in mine if e.order_id is not None})):
        raise FeesUnknown()
    begin_write()
    row = SettlementPeriod(starts_on=period.start, ends_on=period.end, closed_at=now, closed_by_id=actor.id)
    db.session.add(row)
    try:
        db.session.flush()  # a second admin closing at the same time stops here
    except IntegrityError:
        db.session.rollback()
        raise AlreadyClosed() from None
    closed = _closed_periods()  # this period's row included: what is pending now is counted here or later
    entries = [e for e in _pending(period.end) if _target(e.day, [p for p in closed if p.id != row.id])[0] == period]
    lines = _lines(entries, period)
    offline, baseline = _information(period, "offline"), _information(period, "baseline")
    for centre in db.session.scalars(select(Centre).order_by(Centre.id)):
        view = StatementView(period, centre, True, lines.get(centre.id, []), int(offline.get(centre.id, 0)),
                             int(baseline.get(centre.id, 0)))
        statement = Statement(period_id=row.id, centre_id=centre.id, centre_name_th=centre.name_th, centre_name_en=centre.name_en or "",
                              gross_satang=view.gross_satang, refunds_satang=view.refunds_satang, fees_satang=view.fees_satang,
                              commission_satang=view.commission_satang, shipping_satang=view.shipping_satang,
                              payable_satang=view.payable_satang, offline_satang=view.offline_satang,
                              baseline_satang=view.baseline_satang)
        for line in view.lines:
            statement.lines.append(StatementLine(**line.__dict__))
        db.session.add(statement)
    db.session.flush()
    audit.record(actor, "settlement.close", row, centre_id=None,
                 after={"from": period.start.isoformat(), "to": period.end.isoformat(), "lines": len(entries)})
    try:
        db.session.commit()
    except IntegrityError:  # a ledger row counted by a concurrent close: nothing written
        db.session.rollback()
        raise AlreadyClosed() from None
    return row


# --- CSV ----------------------------------------------------------------------------------------

def kind_label(kind: str) -> str:
    labels = {"sale": _("Sale"), "refund": _("Refund"), "shipping": _("Shipping"), "shipping_refund": _("Shipping refunded")}
    return labels.get(kind, kind)


def to_csv(view: StatementView, lang: str) -> str:
    """The statement's lines and sums, in baht with two decimals."""
    def baht(satang: int) -> str:
        sign = "-" if satang < 0 else ""
        whole, rest = divmod(abs(satang), 100)
        return f"{sign}{whole}.{rest:02d}"

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["centre", "period_start", "period_end", "closed"])
    writer.writerow([view.centre_name(lang), view.period.start.isoformat(), view.period.end.isoformat(), "yes" if view.closed else "no"])
    writer.writerow([])
    writer.writerow(["day", "order", "kind", "adjustment", "amount_baht", "fee_baht", "commission_percent", "commission_baht"])
    for line in sorted(view.lines, key=lambda ln: (ln.day, ln.sales_entry_id)):
        writer.writerow([line.day.isoformat(), line.order_number, line.kind, "yes" if line.adjustment else "",
                         baht(line.amount_satang), baht(line.fee_satang), baht(line.commission_rate_bp), baht(line.commission_satang)])
    writer.writerow([])
    for name, value in (("gross_sales", view.gross_satang), ("refunds", view.refunds_satang), ("payment_fees", -view.fees_satang),
                        ("commission", -view.commission_satang), ("shipping", view.shipping_satang),
                        ("payable", view.payable_satang), ("offline_sales_information", view.offline_satang),
                        ("baselines_information", view.baseline_satang)):
        writer.writerow([name, baht(value)])
    return out.getvalue()


def to_pdf(view: StatementView, lang: str) -> bytes:
    """The statement as an A4 PDF in Thai or English."""
    return render_pdf("documents/statement.html", lang, statement=view, kind_label=kind_label, format_date=format_date,
                      words=bahttext)
