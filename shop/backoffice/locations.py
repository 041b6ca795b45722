"""Locations: a centre's fair booths, department-store counters and partner shops; moving stock
there and back, counting it, selling at a booth from a phone (quick sale, confirm, receipt), the
day's summary for closing the cash box, and a store's consignment reports.

Staff reach only their own centre's locations: the services look them up through scope.scoped(),
so another centre's location is a 404 here."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.backoffice import bp
from shop.backoffice.common import fail, refuse
from shop.backoffice.location_forms import (
    HOME,
    KIND_LABELS,
    SKU_ROWS,
    CloseDayForm,
    ConfirmSaleForm,
    ConsignmentForm,
    CountForm,
    LocationForm,
    QuickSaleForm,
    TransferForm,
    decode_lines,
    encode_lines,
)
from shop.i18n import current_language
from shop.models import Location
from shop.services.catalog import centres as centre_admin
from shop.services.errors import DomainError
from shop.services.locations import booth, consignment, places, stock
from shop.services.locations.places import LocationDetails
from shop.services.money import format_baht
from shop.services.thai import bahttext


def _location_or_404(location_id: int) -> Location:
    try:
        return places.location_of(current_user, location_id)
    except places.UnknownLocation:
        abort(404)


def _back(endpoint: str, location_id: int, **values):
    return redirect(url_for(endpoint, location_id=location_id, **values)), 303


@bp.route("/locations", methods=["GET", "POST"])
def locations():
    """The centre's locations, and a form to add one."""
    form = LocationForm(centres=centre_admin.centres() if current_user.is_admin else [])
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            try:
                location = places.create_location(current_user, form.centre_id.data if "centre_id" in form else None,
                                                  LocationDetails(**form.details()))
                flash(_("Location added: %(name)s.", name=location.localised("name", current_language())), "success")
                return _back("backoffice.location", location.id)
            except DomainError as error:
                fail(error)
        return redirect(url_for("backoffice.locations")), 303
    found = places.locations(current_user)
    return render_template("backoffice/locations.html", form=form, locations=found, kind_labels=KIND_LABELS,
                           units=stock.units_by_location([location.id for location in found]))


def _places_of(location: Location) -> list[tuple[str, str]]:
    lang = current_language()
    others = [loc for loc in places.locations(current_user, active_only=True) if loc.centre_id == location.centre_id]
    return [(HOME, _("Home shelf (the web shop sells from it)"))] + [(str(loc.id), loc.localised("name", lang)) for loc in others]


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
def location(location_id: int):
    """One location: its stock, moving stock there and back, a count, and its details."""
    found = _location_or_404(location_id)
    form = LocationForm(centres=[], editing=True)
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            try:
                places.update_location(current_user, found.id, LocationDetails(**form.details(found.kind)))
                flash(_("Location saved."), "success")
            except DomainError as error:
                fail(error)
        return _back("backoffice.location", found.id)
    form.fill(found)
    transfer = TransferForm(places=_places_of(found), prefix="transfer")
    transfer.from_place.data, transfer.to_place.data = HOME, str(found.id)
    rows = stock.stock_at(current_user, found.id)[1]
    return render_template("backoffice/location.html", location=found, form=form, transfer=transfer,
                           count=CountForm(prefix="count"), rows=rows, sku_rows=SKU_ROWS, kind_labels=KIND_LABELS,
                           variants=stock.centre_variants(found.centre_id), movements=stock.movements_at(found.id))


def _place_id(value: str) -> int | None:
    return None if value == HOME else int(value)


@bp.post("/locations/<int:location_id>/transfer")
def location_transfer(location_id: int):
    """Move stock between two of the centre's places; a transfer in the stock ledger."""
    found = _location_or_404(location_id)
    form = TransferForm(places=_places_of(found), prefix="transfer")
    if not form.validate():
        refuse(form)
        return _back("backoffice.location", found.id)
    try:
        variants = stock.variants_by_sku(found.centre_id, (sku for sku, _ in form.sku_rows()))
        lines = [(variants[sku].id, units) for sku, units in form.sku_rows()]
        stock.move_stock(current_user, found.centre_id, _place_id(form.from_place.data), _place_id(form.to_place.data),
                         lines, form.note.data or "")
        flash(_("Stock moved."), "success")
    except DomainError as error:
        fail(error)
    return _back("backoffice.location", found.id)


@bp.post("/locations/<int:location_id>/count")
def location_count(location_id: int):
    """The units counted at the location; each difference becomes an adjustment with the reason."""
    found = _location_or_404(location_id)
    form = CountForm(prefix="count")
    if not form.validate():
        refuse(form)
        return _back("backoffice.location", found.id)
    try:
        variants = stock.variants_by_sku(found.centre_id, (sku for sku, _ in form.sku_rows()))
        changed = stock.reconcile_count(current_user, found.id, [(variants[sku].id, units) for sku, units in form.sku_rows()],
                                        form.reason.data or "")
        flash(_("Count recorded: %(n)d differences adjusted.", n=len(changed)), "success")
    except DomainError as error:
        fail(error)
    return _back("backoffice.location", found.id)


def _picked(found: Location, form: QuickSaleForm, rows: list[stock.StockRow]) -> list[tuple[int, int]] | None:
    """(variant id, units) chosen on the quick-sale page; None (with a message) for a bad quantity."""
    lines = []
    for row in rows:
        text = (request.form.get(f"qty-{row.variant.id}") or "").strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            flash(_("Please give each quantity as a whole number from 1 to 100,000."), "error")
            return None
        if int(text):
            lines.append((row.variant.id, int(text)))
    if form.sku.data:
        variants = stock.variants_by_sku(found.centre_id, [form.sku.data])
        lines.append((variants[form.sku.data.upper()].id, form.sku_qty.data))
    return lines


@bp.route("/locations/<int:location_id>/sell", methods=["GET", "POST"])
def quick_sale(location_id: int):
    """The quick sale at a booth: pick products by photo or SKU, choose cash or PromptPay, review."""
    found = _location_or_404(location_id)
    rows = stock.stock_at(current_user, found.id)[1]
    rows = [row for row in rows if row.on_hand > 0]
    form = QuickSaleForm()
    if form.is_submitted():
        if not form.validate():
            refuse(form)
            return _back("backoffice.quick_sale", found.id)
        try:
            lines = _picked(found, form, rows)
            if lines is None:
                return _back("backoffice.quick_sale", found.id)
            quote = booth.quote_sale(current_user, found.id, lines, form.payment_method.data)
        except DomainError as error:
            fail(error)
            return _back("backoffice.quick_sale", found.id)
        confirm = ConfirmSaleForm(formdata=None, payment_method=quote.payment_method, key=form.key.data,
                                  lines=encode_lines([(line.variant.id, line.quantity) for line in quote.lines]))
        return render_template("backoffice/quick_sale_confirm.html", location=found, quote=quote, confirm=confirm)
    if not found.active:
        flash(str(places.LocationClosed.message), "error")
    form.key.data = booth.new_sale_key()
    return render_template("backoffice/quick_sale.html", location=found, rows=rows, form=form)


@bp.post("/locations/<int:location_id>/sell/confirm")
def quick_sale_confirm(location_id: int):
    """Staff confirm the payment: the sale is recorded once (however often this is sent)."""
    found = _location_or_404(location_id)
    form = ConfirmSaleForm()
    if not form.validate():
        refuse(form)
        return _back("backoffice.quick_sale", found.id)
    lines = decode_lines(form.lines.data)
    if lines is None:
        flash(_("This sale form is out of date. Please start the sale again."), "error")
        return _back("backoffice.quick_sale", found.id)
    try:
        sale, new = booth.record_booth_sale(current_user, found.id, lines, form.payment_method.data or "", form.key.data or "")
    except DomainError as error:
        fail(error)
        return _back("backoffice.quick_sale", found.id)
    if new:
        flash(_("Sale recorded: receipt %(number)s.", number=sale.receipt_number), "success")
    else:
        flash(_("This sale was already recorded (receipt %(number)s); it was not recorded twice.", number=sale.receipt_number), "success")
    return redirect(url_for("backoffice.booth_receipt", sale_id=sale.id)), 303


@bp.get("/booth-sales/<int:sale_id>")
def booth_receipt(sale_id: int):
    """A booth sale's receipt, to show the buyer or print."""
    sale = booth.sale_of(current_user, sale_id)
    if sale is None:
        abort(404)
    return render_template("backoffice/booth_receipt.html", sale=sale, words=bahttext(sale.total_satang))


@bp.get("/booth-sales/<int:sale_id>.pdf")
def booth_receipt_pdf(sale_id: int):
    """The receipt as a PDF, to print or send, in the page's language."""
    sale = booth.sale_of(current_user, sale_id)
    if sale is None:
        abort(404)
    lang = current_language()
    return Response(booth.receipt_pdf(sale, lang), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={sale.receipt_number}-{lang}.pdf"})


def _day_asked() -> date:
    """The day in ?day=YYYY-MM-DD (today in Bangkok when absent); junk gets a message and today."""
    text = request.args.get("day") or ""
    if not text:
        return booth.bangkok_today()
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        flash(_("Please give the date of the sale, like 2026-05-01."), "error")
        return booth.bangkok_today()


@bp.route("/locations/<int:location_id>/day", methods=["GET", "POST"])
def day_summary(location_id: int):
    """A day at a location: cash expected, PromptPay received, units, top products; close the day."""
    found = _location_or_404(location_id)
    day = _day_asked()
    form = CloseDayForm()
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            try:
                difference = booth.close_day(current_user, found.id, day, form.counted.data)
                if difference == 0:
                    flash(_("Day closed: the cash box matches."), "success")
                elif difference > 0:
                    flash(_("Day closed: the cash box is %(amount)s over.", amount=format_baht(difference)), "success")
                else:
                    flash(_("Day closed: the cash box is %(amount)s short.", amount=format_baht(-difference)), "success")
            except DomainError as error:
                fail(error)
        return _back("backoffice.day_summary", found.id, day=day.isoformat())
    return render_template("backoffice/day_summary.html", location=found, summary=booth.day_summary(current_user, found.id, day),
                           form=form)


@bp.route("/locations/<int:location_id>/consignment", methods=["GET", "POST"])
def consignment_reports(location_id: int):
    """A department store's sales reports: the units sold, the store's commission, what it owes."""
    found = _location_or_404(location_id)
    form = ConsignmentForm()
    if form.is_submitted():
        if not form.validate():
            refuse(form)
        else:
            try:
                variants = stock.variants_by_sku(found.centre_id, (sku for sku, _ in form.sku_rows()))
                report = consignment.record_consignment_report(
                    current_user, found.id, form.period_start.data, form.period_end.data,
                    [(variants[sku].id, units) for sku, units in form.sku_rows()])
                flash(_("Report recorded: the store owes %(amount)s.", amount=format_baht(report.owed_satang)), "success")
            except DomainError as error:
                fail(error)
        return _back("backoffice.consignment_reports", found.id)
    return render_template("backoffice/consignment.html", location=found, form=form, sku_rows=SKU_ROWS,
                           reports=consignment.reports_of(current_user, found.id))
