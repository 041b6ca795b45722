"""Settlement periods: a month by default, or a quarter or an ISO week (SETTLEMENT_PERIOD)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app


@dataclass(frozen=True, order=True)
class Period:
    """From `start` up to, not including, `end` (Bangkok days)."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _kind() -> str:
    return current_app.config.get("SETTLEMENT_PERIOD", "month")


def period_of(day: date, kind: str | None = None) -> Period:
    kind = kind or _kind()
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=7))
    months = 3 if kind == "quarter" else 1
    first_month = day.month - (day.month - 1) % months
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return Period(start, end)


def following(period: Period, kind: str | None = None) -> Period:
    return period_of(period.end, kind)


def parse_start(text: str) -> date | None:
    """A period's first day from a URL ('2026-11-01'); None for anything else."""
    try:
        day = date.fromisoformat((text or "")[:10])
    except ValueError:
        return None
    return day if period_of(day).start == day else None
