"""The programme's impact as published on the home and programme pages, live from the data:
people trained (workshop attendance plus the yearly baselines an admin imports), income
returned to communities (the sales ledger, baselines included), OTOP products, centres and
provinces. Every change to these rows moves the catalogue's version in its own transaction
(models.workshops), so the cached pages never show an old figure."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from shop.extensions import begin_write, db
from shop.models import Centre, Product, SalesDaily, TrainedBaseline, User, WorkshopAttendance
from shop.services.catalog.admin import CsvRowError
from shop.services.errors import NotYourCentre
from shop.services.parsing import parse_int
from shop.services.people import audit

MAX_BASELINE_PEOPLE = 10_000_000  # people one centre trained in one year: far past any real figure


@dataclass(frozen=True)
class Impact:
    people_trained: int
    trained_at_workshops: int
    trained_before_shop: int
    income_satang: int
    otop_products: int
    centres: int
    provinces: int


def _sum(column, *where) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)) or 0)


def _total(column):
    return select(func.coalesce(func.sum(column), 0)).scalar_subquery()


def figures() -> Impact:
    """The programme's figures now, in one query (the home page shows them)."""
    active = Centre.active.is_(True)
    at_workshops, before, income, otop, centres, provinces = db.session.execute(select(
        _total(WorkshopAttendance.people),
        _total(TrainedBaseline.people),
        _total(SalesDaily.revenue_satang),
        select(func.count(Product.id)).where(Product.otop.is_(True), Product.status == "active").scalar_subquery(),
        select(func.count(Centre.id)).where(active).scalar_subquery(),
        select(func.count(func.distinct(Centre.province_code))).where(active).scalar_subquery(),
    )).one()
    return Impact(people_trained=int(at_workshops) + int(before), trained_at_workshops=int(at_workshops),
                  trained_before_shop=int(before), income_satang=int(income), otop_products=int(otop),
                  centres=int(centres), provinces=int(provinces))


@dataclass(frozen=True)
class CentreImpact:
    centre: Centre
    people_trained: int
    income_satang: int


def by_centre() -> list[CentreImpact]:
    """Each active centre's people trained and income, in the centres' order."""
    attended = dict(db.session.execute(select(WorkshopAttendance.centre_id, func.sum(WorkshopAttendance.people))
                                       .group_by(WorkshopAttendance.centre_id)).tuples().all())
    before = dict(db.session.execute(select(TrainedBaseline.centre_id, func.sum(TrainedBaseline.people))
                                     .group_by(TrainedBaseline.centre_id)).tuples().all())
    income = dict(db.session.execute(select(SalesDaily.centre_id, func.sum(SalesDaily.revenue_satang))
                                     .group_by(SalesDaily.centre_id)).tuples().all())
    centres = db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.id))
    return [CentreImpact(c, int(attended.get(c.id) or 0) + int(before.get(c.id) or 0), int(income.get(c.id) or 0))
            for c in centres]


def trained_people(centre_id: int) -> int:
    """One centre's people trained: its attended workshop seats and its baselines."""
    return (_sum(WorkshopAttendance.people, WorkshopAttendance.centre_id == centre_id)
            + _sum(TrainedBaseline.people, TrainedBaseline.centre_id == centre_id))


def trained_baselines() -> list[TrainedBaseline]:
    return list(db.session.scalars(select(TrainedBaseline).order_by(TrainedBaseline.year.desc(), TrainedBaseline.centre_id)))


def import_trained_baselines(actor: User, rows: list[dict[str, str]]) -> list[CsvRowError]:
    """Rows of centre (slug), year, people trained that year before the shop; all or none.

    Returns the errors per line (line 1 is the header); with any error nothing is changed."""
    if not actor.is_admin:
        raise NotYourCentre()
    begin_write()
    centres = {c.slug: c for c in db.session.scalars(select(Centre))}
    existing = set(db.session.execute(select(TrainedBaseline.centre_id, TrainedBaseline.year)).tuples().all())
    errors: list[CsvRowError] = []
    plan: list[tuple[Centre, int, int]] = []
    seen: set[tuple[str, int]] = set()
    for line, row in enumerate(rows, start=2):
        slug = (row.get("centre") or "").strip()
        year_text = (row.get("year") or "").strip()
        people_text = (row.get("people") or "").strip().replace(",", "")
        if slug not in centres:
            errors.append(CsvRowError(line, _("There is no centre with the short name “%(slug)s”.", slug=slug[:40])))
            continue
        year = parse_int(year_text, 2000, 2100)
        if year is None:
            errors.append(CsvRowError(line, _("The year must be a Gregorian year like 2021, not “%(year)s”.", year=year_text[:10])))
            continue
        people = parse_int(people_text, 0, MAX_BASELINE_PEOPLE)
        if people is None:
            errors.append(CsvRowError(line, _("People trained must be a whole number from 0 to 10,000,000, not “%(people)s”.",
                                              people=people_text[:20])))
            continue
        centre = centres[slug]
        if (slug, year) in seen:
            errors.append(CsvRowError(line, _("%(centre)s %(year)d is listed twice.", centre=centre.name_th, year=year)))
            continue
        if (centre.id, year) in existing:
            errors.append(CsvRowError(line, _("%(centre)s already has people trained for %(year)d.", centre=centre.name_th, year=year)))
            continue
        seen.add((slug, year))
        plan.append((centre, year, people))
    if errors or not plan:
        db.session.rollback()
        return errors or [CsvRowError(1, _("The file has no rows."))]
    for centre, year, people in plan:
        baseline = TrainedBaseline(centre_id=centre.id, year=year, people=people)
        db.session.add(baseline)
        db.session.flush()
        audit.record(actor, "impact.trained_baseline", baseline, centre_id=centre.id, after={"year": year, "people": people})
    db.session.commit()
    return []
