"""Consignment with department stores: a store's periodic sales report takes the units from its
counter, enters the sales ledger at retail price (channel department store, with the location)
with the store's commission as a cost, and says what the store owes the centre. One transaction."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.extensions import begin_write, db
from shop.models import ConsignmentLine, ConsignmentReport, User
from shop.services.errors import DomainError, NotYourCentre
from shop.services.locations import stock
from shop.services.locations.places import location_of
from shop.services.people import audit
from shop.services.sales import ledger
from shop.services.settlements.commissions import commission


class NotConsignment(DomainError):
    message = _l("Only a department-store counter on consignment sends sales reports.")


class BadPeriod(DomainError):
    message = _l("Please give the report's period: the first day no later than the last.")


class ReportAlreadyRecorded(DomainError):
    message = _l("The store's report for that period is already recorded.")


class EmptyReport(DomainError):
    message = _l("Please give at least one SKU and the units the store sold.")


def record_consignment_report(actor: User, location_id: int, period_start: date, period_end: date,
                              lines: list[tuple[int, int]]) -> ConsignmentReport:
    """The store sold these units (variant id, units) in the period: take them from its counter,
    enter them in the ledger on the period's last day at retail price less the store's commission."""
    if not isinstance(period_start, date) or not isinstance(period_end, date) or period_end < period_start:
        raise BadPeriod()
    if not lines:
        raise EmptyReport()
    plan = stock.merged(lines)
    begin_write()
    try:
        location = location_of(actor, location_id)
        if not actor.is_admin and actor.centre_id != location.centre_id:
            raise NotYourCentre()
        if location.kind != "consignment":
            raise NotConsignment()
        if db.session.scalar(select(ConsignmentReport.id).where(
                ConsignmentReport.location_id == location.id, ConsignmentReport.period_start == period_start,
                ConsignmentReport.period_end == period_end)) is not None:
            raise ReportAlreadyRecorded()
        variants = stock.check_variants(location.centre_id, (variant_id for variant_id, _ in plan))
        report = ConsignmentReport(centre_id=location.centre_id, location_id=location.id, period_start=period_start,
                                   period_end=period_end, units=0, gross_satang=0, commission_bp=location.commission_bp,
                                   commission_satang=0, owed_satang=0, recorded_by_id=actor.id)
        db.session.add(report)
        db.session.flush()
        for variant_id, quantity in plan:
            variant = variants[variant_id]
            stock.take(location.id, variant_id, quantity, "consignment_sale", actor.id,
                       f"consignment report {report.id}: {period_start.isoformat()} to {period_end.isoformat()}")
            report.lines.append(ConsignmentLine(variant_id=variant_id, product_id=variant.product_id, sku=variant.sku,
                                                quantity=quantity, unit_price_satang=variant.price_satang,
                                                line_total_satang=variant.price_satang * quantity))
        report.units = sum(line.quantity for line in report.lines)
        report.gross_satang = sum(line.line_total_satang for line in report.lines)
        report.commission_satang = commission(report.gross_satang, report.commission_bp)
        report.owed_satang = report.gross_satang - report.commission_satang
        db.session.flush()
        ledger.record_location_sale(location.centre_id, location.id, location.channel, period_end, report.lines,
                                    consignment_report_id=report.id, store_commission_satang=report.commission_satang)
        audit.record(actor, "locations.consignment_report", report, after={
            "location": location.id, "period": [period_start, period_end], "lines": plan,
            "gross_satang": report.gross_satang, "commission_satang": report.commission_satang,
            "owed_satang": report.owed_satang})
        db.session.commit()
        return report
    except DomainError:
        db.session.rollback()
        raise


def reports_of(actor: User, location_id: int) -> list[ConsignmentReport]:
    location = location_of(actor, location_id)
    return list(db.session.scalars(select(ConsignmentReport).where(ConsignmentReport.location_id == location.id)
                                   .order_by(ConsignmentReport.period_end.desc(), ConsignmentReport.id.desc())))
