"""The association's commission per centre: a rate from a day on, kept with its history (default 0%)."""
from __future__ import annotations

import bisect
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.extensions import begin_write, db
from shop.models import Centre, CommissionRate, SettlementPeriod, User
from shop.services.errors import DomainError
from shop.services.people import audit


class BadRate(DomainError):
    message = _l("A commission is a percentage from 0 to 100, with at most two decimals.")


class PeriodClosed(DomainError):
    message = _l("That day is in a closed period. A new rate can start only in an open period.")


def parse_percent(text: str) -> int:
    """'5', '2.5' or '2.75' percent -> basis points (500, 250, 275); raises BadRate."""
    cleaned = (text or "").strip().rstrip("%").strip()
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise BadRate()
    rate = int(whole) * 100 + int((frac + "00")[:2])
    if rate > 10000:
        raise BadRate()
    return rate


def commission(amount_satang: int, rate_bp: int) -> int:
    """amount x rate, rounded half away from zero to the satang (a refund's commission is negative)."""
    sign = -1 if amount_satang < 0 else 1
    return sign * ((abs(amount_satang) * rate_bp + 5000) // 10000)


class Rates:
    """The rates of some centres, to look up the one in force on a day."""

    def __init__(self, rows: list[CommissionRate]) -> None:
        self._by_centre: dict[int, tuple[list[date], list[int]]] = {}
        for row in sorted(rows, key=lambda r: (r.centre_id, r.effective_from)):
            days, rates = self._by_centre.setdefault(row.centre_id, ([], []))
            days.append(row.effective_from)
            rates.append(row.rate_bp)

    def on(self, centre_id: int, day: date) -> int:
        days, rates = self._by_centre.get(centre_id, ([], []))
        index = bisect.bisect_right(days, day) - 1
        return rates[index] if index >= 0 else 0


def rates() -> Rates:
    return Rates(list(db.session.scalars(select(CommissionRate))))


def history(centre_id: int) -> list[CommissionRate]:
    return list(db.session.scalars(select(CommissionRate).where(CommissionRate.centre_id == centre_id)
                                   .order_by(CommissionRate.effective_from)))


def set_rate(actor: User, centre_id: int, rate_bp: int, effective_from: date) -> CommissionRate:
    """An admin sets a centre's commission from a day on; days already in a closed period keep theirs."""
    if not actor.is_admin:
        raise DomainError()
    if not isinstance(rate_bp, int) or not 0 <= rate_bp <= 10000:
        raise BadRate()
    begin_write()
    centre = db.session.get(Centre, centre_id)
    if centre is None:
        db.session.rollback()
        raise DomainError()
    closed = db.session.scalar(select(SettlementPeriod.id).where(SettlementPeriod.ends_on > effective_from))
    if closed is not None:
        db.session.rollback()
        raise PeriodClosed()
    row = db.session.scalar(select(CommissionRate).where(CommissionRate.centre_id == centre_id,
                                                         CommissionRate.effective_from == effective_from))
    before = row.rate_bp if row else None
    if row is None:
        row = CommissionRate(centre_id=centre_id, effective_from=effective_from, rate_bp=rate_bp, created_by_id=actor.id)
        db.session.add(row)
    else:
        row.rate_bp = rate_bp
    db.session.flush()
    audit.record(actor, "commission.set", row, centre_id=centre_id, before={"rate_bp": before} if before is not None else None,
                 after={"rate_bp": rate_bp, "from": effective_from.isoformat()})
    db.session.commit()
    return row
