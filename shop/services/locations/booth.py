"""Selling at a booth from a phone: a quote to show (and a PromptPay QR for its exact amount),
the sale recorded once staff confirm it, its receipt, and the day's summary for closing the cash box.

A sale is one transaction: its row (unique idempotency key: a sale submitted twice is recorded once),
a gap-free receipt number (documents.numbering, type BR), its lines at the database's prices,
the units taken from the location by guarded updates (never oversold), the sales-ledger entries
(channel fair or department store, with the location) and the audit entry.
"""
from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, func, select

from shop.extensions import begin_write, db
from shop.i18n import current_language
from shop.models import BOOTH_PAYMENT_METHODS, BoothSale, BoothSaleLine, Location, User, Variant
from shop.services.documents.issuing import buddhist_year
from shop.services.documents.numbering import format_number, next_number
from shop.services.errors import DomainError, NotYourCentre
from shop.services.locations import stock
from shop.services.locations.places import LocationClosed, location_of
from shop.services.payments import promptpay
from shop.services.pdf import render_pdf
from shop.services.people import audit
from shop.services.sales import ledger
from shop.services.thai import bahttext, format_datetime, to_bangkok

RECEIPT_TYPE = "BR"  # booth receipts: their own gap-free run of numbers per Buddhist Era year
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class EmptySale(DomainError):
    message = _l("Please choose at least one product and its quantity.")


class BadPaymentMethod(DomainError):
    message = _l("Please choose cash or PromptPay.")


class BadSaleKey(DomainError):
    message = _l("This sale form is out of date. Please start the sale again.")


class NotABooth(DomainError):
    message = _l("A department store's counter is not sold from here: record the store's sales report instead.")


class PromptPayNotSetUp(DomainError):
    message = _l("PromptPay is not set up for the shop. Please take cash, or ask the association to set it up.")


def new_sale_key() -> str:
    """The idempotency key a quick-sale form carries from its first page to the confirmation."""
    return secrets.token_urlsafe(24)


@dataclass
class QuoteLine:
    variant: Variant
    quantity: int
    unit_price_satang: int
    available: int

    @property
    def line_total_satang(self) -> int:
        return self.unit_price_satang * self.quantity


@dataclass
class Quote:
    location: Location
    payment_method: str
    lines: list[QuoteLine]
    total_satang: int
    promptpay_payload: str | None = None  # the EMVCo text for the exact amount
    promptpay_qr: str | None = None  # the same as an SVG data URI


def _check_method(payment_method: str) -> None:
    if payment_method not in BOOTH_PAYMENT_METHODS:
        raise BadPaymentMethod()


def _sellable(actor: User, location_id: int) -> Location:
    location = location_of(actor, location_id)
    if not actor.is_admin and actor.centre_id != location.centre_id:
        raise NotYourCentre()
    if not location.active:
        raise LocationClosed()
    if location.kind == "consignment":
        raise NotABooth()
    return location


def quote_sale(actor: User, location_id: int, lines: list[tuple[int, int]], payment_method: str) -> Quote:
    """What the sale would be, at the database's prices, without recording anything: the total, and
    for PromptPay the shop's QR for that exact amount. NotEnoughStock if the location lacks units."""
    _check_method(payment_method)
    if not lines:
        raise EmptySale()
    plan = stock.merged(lines)
    location = _sellable(actor, location_id)
    variants = stock.check_variants(location.centre_id, (variant_id for variant_id, _ in plan))
    quoted = []
    for variant_id, quantity in plan:
        available = stock.units_at(location.id, variant_id)
        if available < quantity:
            lang_variant = variants[variant_id]
            raise stock.NotEnoughStock(stock.variant_label(lang_variant, current_language()), location.localised("name", current_language()), available)
        quoted.append(QuoteLine(variants[variant_id], quantity, variants[variant_id].price_satang, available))
    total = sum(line.line_total_satang for line in quoted)
    qr = payload = None
    if payment_method == "promptpay":
        promptpay_id = current_app.config.get("PROMPTPAY_ID")
        if not promptpay_id:
            raise PromptPayNotSetUp()
        if total > 0:
            payload = promptpay.build_payload(promptpay_id, total)
            qr = promptpay.qr_svg_data_uri(payload)
    return Quote(location, payment_method, quoted, total, payload, qr)


def record_booth_sale(actor: User, location_id: int, lines: list[tuple[int, int]], payment_method: str,
                      idempotency_key: str, at: datetime | None = None) -> tuple[BoothSale, bool]:
    """Record a confirmed sale at a location; returns (sale, True), or (the sale already recorded
    with this key, False) when the form was submitted again. One transaction; never oversells."""
    _check_method(payment_method)
    if not isinstance(idempotency_key, str) or not KEY_PATTERN.fullmatch(idempotency_key):
        raise BadSaleKey()
    if not lines:
        raise EmptySale()
    plan = stock.merged(lines)
    existing = _already(actor, idempotency_key)
    if existing is not None:
        return existing, False
    at = at or datetime.now(UTC)
    begin_write()
    try:
        existing = _already(actor, idempotency_key)  # another request may have just recorded it
        if existing is not None:
            db.session.rollback()
            return existing, False
        location = _sellable(actor, location_id)
        if payment_method == "promptpay" and not current_app.config.get("PROMPTPAY_ID"):
            raise PromptPayNotSetUp()
        variants = stock.check_variants(location.centre_id, (variant_id for variant_id, _ in plan))
        year = buddhist_year(at)
        sale = BoothSale(centre_id=location.centre_id, location_id=location.id, day=ledger.bangkok_day(at),
                         payment_method=payment_method, total_satang=0, units=0, idempotency_key=idempotency_key,
                         receipt_number=format_number(RECEIPT_TYPE, year, next_number(RECEIPT_TYPE, year)),
                         recorded_by_id=actor.id, created_at=at)
        db.session.add(sale)
        db.session.flush()  # a twin request with the same key waits here on PostgreSQL, then fails
        for variant_id, quantity in plan:
            variant = variants[variant_id]
            stock.take(location.id, variant_id, quantity, "booth_sale", actor.id, f"booth sale {sale.receipt_number}")
            sale.lines.append(BoothSaleLine(variant_id=variant_id, product_id=variant.product_id, sku=variant.sku,
                                            name_th=stock.variant_label(variant, "th")[:400],
                                            name_en=stock.variant_label(variant, "en")[:400], quantity=quantity,
                                            unit_price_satang=variant.price_satang,
                                            line_total_satang=variant.price_satang * quantity))
        sale.total_satang = sum(line.line_total_satang for line in sale.lines)
        sale.units = sum(line.quantity for line in sale.lines)
        db.session.flush()
        ledger.record_location_sale(location.centre_id, location.id, location.channel, sale.day, sale.lines,
                                    booth_sale_id=sale.id)
        audit.record(actor, "locations.booth_sale", sale, after={
            "location": location.id, "receipt": sale.receipt_number, "payment_method": payment_method,
            "total_satang": sale.total_satang, "lines": plan})
        db.session.commit()
        return sale, True
    except exc.IntegrityError:
        db.session.rollback()  # the same key was recorded by a request running at the same time
        existing = _already(actor, idempotency_key)
        if existing is None:
            raise
        return existing, False
    except DomainError:
        db.session.rollback()
        raise


def _already(actor: User, idempotency_key: str) -> BoothSale | None:
    sale = db.session.scalar(select(BoothSale).where(BoothSale.idempotency_key == idempotency_key))
    if sale is not None and not actor.is_admin and sale.centre_id != actor.centre_id:
        raise BadSaleKey()
    return sale


def receipt_pdf(sale: BoothSale, lang: str) -> bytes:
    """The booth sale's receipt as an A4 PDF, laid out from the sale's frozen lines."""
    config = current_app.config
    return render_pdf("documents/booth_receipt.html", lang if lang in ("th", "en") else "th", sale=sale,
                      words=bahttext(sale.total_satang), issued_on=format_datetime(sale.created_at, lang),
                      seller_name=config["SELLER_NAME"], seller_address=config["SELLER_ADDRESS"],
                      seller_tax_id=config["SELLER_TAX_ID"])


def sale_of(actor: User, sale_id: int) -> BoothSale | None:
    """A booth sale (for its receipt) if the actor may see it."""
    sale = db.session.get(BoothSale, sale_id)
    if sale is None or (not actor.is_admin and sale.centre_id != actor.centre_id):
        return None
    return sale


@dataclass
class DaySummary:
    location: Location
    day: date
    sales: list[BoothSale]
    cash_satang: int = 0
    promptpay_satang: int = 0
    units: int = 0
    top_products: list[tuple[str, str, int, int]] = field(default_factory=list)  # name th, name en, units, satang

    @property
    def total_satang(self) -> int:
        return self.cash_satang + self.promptpay_satang


def day_summary(actor: User, location_id: int, day: date) -> DaySummary:
    """A location's day: cash expected in the box, PromptPay received, units and the top products."""
    location = location_of(actor, location_id)
    sales = list(db.session.scalars(select(BoothSale).where(BoothSale.location_id == location.id, BoothSale.day == day)
                                    .order_by(BoothSale.id)))
    summary = DaySummary(location, day, sales)
    for sale in sales:
        if sale.payment_method == "cash":
            summary.cash_satang += sale.total_satang
        else:
            summary.promptpay_satang += sale.total_satang
        summary.units += sale.units
    units: Counter[int] = Counter()
    amounts: Counter[int] = Counter()
    names: dict[int, tuple[str, str]] = {}
    for sale in sales:
        for line in sale.lines:
            units[line.variant_id] += line.quantity
            amounts[line.variant_id] += line.line_total_satang
            names[line.variant_id] = (line.name_th, line.name_en)
    ranked = sorted(units, key=lambda v: (-units[v], -amounts[v], v))[:5]
    summary.top_products = [(names[v][0], names[v][1], units[v], amounts[v]) for v in ranked]
    return summary


class BadCashCount(DomainError):
    message = _l("Please give the cash counted in the box in baht, like 1250 or 1250.50.")


def close_day(actor: User, location_id: int, day: date, counted_cash_satang: int) -> int:
    """Close a location's day: the cash counted against the cash expected goes to the audit log.
    Returns the difference (counted − expected) in satang."""
    if not isinstance(counted_cash_satang, int) or counted_cash_satang < 0:
        raise BadCashCount()
    begin_write()
    summary = day_summary(actor, location_id, day)
    if not actor.is_admin and actor.centre_id != summary.location.centre_id:
        db.session.rollback()
        raise NotYourCentre()
    difference = counted_cash_satang - summary.cash_satang
    audit.record(actor, "locations.day_closed", summary.location, after={
        "day": day, "cash_expected_satang": summary.cash_satang, "cash_counted_satang": counted_cash_satang,
        "difference_satang": difference, "promptpay_satang": summary.promptpay_satang, "units": summary.units,
        "sales": len(summary.sales)})
    db.session.commit()
    return difference


def bangkok_today() -> date:
    return to_bangkok(datetime.now(UTC)).date()


def units_sold(location_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(BoothSale.units), 0)).where(BoothSale.location_id == location_id)) or 0)
