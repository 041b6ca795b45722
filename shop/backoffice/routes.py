"""The back office: centre staff run their own centre; association admins run the network.

Access is checked once here (signed in as staff or admin) and again in every service query,
which is scoped to the staff member's centre: another centre's IDs find nothing (404).
"""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from shop.backoffice import bp
from shop.backoffice.forms import (
    ActionForm,
    AdjustForm,
    CentreForm,
    ConfirmTransferForm,
    ImageForm,
    ImportForm,
    NewProductForm,
    NewVariantForm,
    ProductForm,
    ReceiveForm,
    RejectTransferForm,
    ShipForm,
    StaffForm,
    VariantForm,
)
from shop.extensions import db
from shop.models import REGIONS
from shop.services.catalog import admin as catalog_admin
from shop.services.catalog import browse as catalog
from shop.services.catalog import centres as centre_admin
from shop.services.errors import DomainError, OutOfStock
from shop.services.ordering import fulfilment
from shop.services.payments import promptpay
from shop.services.payments import refunds as payment_refunds
from shop.services.people import audit
from shop.services.people import staff as staff_admin
from shop.services.people.accounts import EmailTaken
from shop.services.thai import provinces


@bp.before_request
def require_staff():
    if not current_user.is_authenticated:
        return redirect(url_for("account.sign_in", next=request.full_path))
    if not current_user.is_staff:
        abort(403)
    signed_in = session.get("signed_in_at")
    limit = timedelta(hours=current_app.config["STAFF_SESSION_HOURS"])
    if not signed_in or datetime.now(UTC) - datetime.fromisoformat(signed_in) > limit:
        logout_user()
        session.clear()
        flash(_("Your back-office session has ended. Please sign in again."), "error")
        return redirect(url_for("account.sign_in", next=request.full_path))
    return None


def _admin_only():
    if not current_user.is_admin:
        abort(403)


def _or_404(found):
    if found is None:
        abort(404)
    return found


def _fail(error: DomainError):
    message = str(error.message)
    if isinstance(error, OutOfStock):
        message = _("Stock cannot go below what is held for orders.")
    flash(message, "error")


# --- Home ---------------------------------------------------------------------------------

@bp.get("/")
def home():
    return render_template(
        "backoffice/home.html",
        to_pack=len(fulfilment.queue(current_user, "to_pack")),
        packed=len(fulfilment.queue(current_user, "packed")),
        low=len(catalog_admin.stock_rows(current_user, low_only=True)),
        transfers=len(promptpay.awaiting_transfers(current_user)),
    )


# --- Products -----------------------------------------------------------------------------

def _category_choices(form) -> None:
    form.category_id.choices = [(c.id, f"{c.name_th} / {c.name_en}" if c.name_en else c.name_th) for c in catalog.all_categories()]


@bp.get("/products")
def products():
    status = request.args.get("status") if request.args.get("status") in {"active", "archived"} else None
    return render_template("backoffice/products.html", products=catalog_admin.products(current_user, status=status),
                           status=status, action_form=ActionForm())


@bp.route("/products/new", methods=["GET", "POST"])
def product_new():
    form = NewProductForm()
    _category_choices(form)
    centres = centre_admin.centres() if current_user.is_admin else []
    if form.validate_on_submit():
        centre_id = current_user.centre_id if not current_user.is_admin else request.form.get("centre_id", type=int)
        try:
            product = catalog_admin.create_product(current_user, centre_id, form.product_data(), form.variant_data())
        except DomainError as error:
            _fail(error)
        else:
            flash(_("Product added. Now add a photo."), "success")
            return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303
    return render_template("backoffice/product_new.html", form=form, centres=centres), 400 if form.errors else 200


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def product_edit(product_id: int):
    product = _or_404(catalog_admin.product(current_user, product_id))
    form = ProductForm(obj=product if request.method == "GET" else None)
    if request.method == "GET":
        form.otop_stars.data = product.otop_stars or 0
    _category_choices(form)
    if form.validate_on_submit():
        try:
            catalog_admin.update_product(current_user, product.id, form.product_data())
            flash(_("Product saved."), "success")
            return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303
        except DomainError as error:
            _fail(error)
    return render_template("backoffice/product_edit.html", product=product, form=form, variant_form=NewVariantForm(),
                           image_form=ImageForm(), action_form=ActionForm()), 400 if form.errors else 200


@bp.post("/products/<int:product_id>/archive")
@bp.post("/products/<int:product_id>/restore")
def product_status(product_id: int):
    _or_404(catalog_admin.product(current_user, product_id))
    if ActionForm().validate_on_submit():
        status = "archived" if request.path.endswith("/archive") else "active"
        catalog_admin.set_product_status(current_user, product_id, status)
        flash(_("Product archived: it is no longer sold.") if status == "archived" else _("Product restored to the shop."), "success")
    return redirect(url_for("backoffice.product_edit", product_id=product_id)), 303


@bp.post("/products/<int:product_id>/variants")
def variant_new(product_id: int):
    product = _or_404(catalog_admin.product(current_user, product_id))
    form = NewVariantForm()
    if form.validate_on_submit():
        try:
            catalog_admin.add_variant(current_user, product.id, {**form.variant_data(), "stock_on_hand": form.stock_on_hand.data or 0})
            flash(_("Option added."), "success")
        except DomainError as error:
            _fail(error)
    else:
        flash(_("Please check the option: %(errors)s", errors="; ".join(e for errs in form.errors.values() for e in errs)), "error")
    return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303


@bp.route("/variants/<int:variant_id>", methods=["GET", "POST"])
def variant_edit(variant_id: int):
    variant = _or_404(catalog_admin.variant(current_user, variant_id))
    form = VariantForm(obj=variant if request.method == "GET" else None)
    if request.method == "GET":
        form.price.data = variant.price_satang
    if form.validate_on_submit():
        try:
            catalog_admin.update_variant(current_user, variant.id, form.variant_data())
            flash(_("Option saved. New prices apply to new orders only."), "success")
            return redirect(url_for("backoffice.product_edit", product_id=variant.product_id)), 303
        except DomainError as error:
            _fail(error)
    return render_template("backoffice/variant_edit.html", variant=variant, form=form), 400 if form.errors else 200


@bp.post("/products/<int:product_id>/images")
def image_new(product_id: int):
    product = _or_404(catalog_admin.product(current_user, product_id))
    form = ImageForm()
    if form.validate_on_submit():
        try:
            catalog_admin.add_image(current_user, product.id, form.photo.data.read(), form.alt_th.data or "", form.alt_en.data or "")
            flash(_("Photo added."), "success")
        except DomainError as error:
            _fail(error)
    else:
        flash(_("Please choose a photo to upload."), "error")
    return redirect(url_for("backoffice.product_edit", product_id=product.id)), 303


@bp.post("/images/<int:image_id>/delete")
def image_delete(image_id: int):
    image = _or_404(catalog_admin.image(current_user, image_id))
    product_id = image.product_id
    if ActionForm().validate_on_submit():
        catalog_admin.remove_image(current_user, image.id)
        flash(_("Photo removed."), "success")
    return redirect(url_for("backoffice.product_edit", product_id=product_id)), 303


# --- Stock --------------------------------------------------------------------------------

@bp.get("/stock")
def stock():
    low_only = request.args.get("low") == "1"
    return render_template("backoffice/stock.html", rows=catalog_admin.stock_rows(current_user, low_only=low_only),
                           low_only=low_only, import_form=ImportForm())


@bp.route("/variants/<int:variant_id>/stock", methods=["GET", "POST"])
def variant_stock(variant_id: int):
    variant, movements = catalog_admin.movements(current_user, variant_id)
    _or_404(variant)
    receive_form, adjust_form = ReceiveForm(prefix="receive"), AdjustForm(prefix="adjust")
    if request.method == "POST":
        try:
            if "receive-submit" in request.form and receive_form.validate_on_submit():
                catalog_admin.receive_stock(current_user, variant.id, receive_form.quantity.data, receive_form.note.data or "")
                flash(_("Stock received."), "success")
            elif "adjust-submit" in request.form and adjust_form.validate_on_submit():
                catalog_admin.adjust_stock(current_user, variant.id, adjust_form.delta.data, adjust_form.reason.data, adjust_form.note.data or "")
                flash(_("Stock adjusted."), "success")
            else:
                flash(_("Please check the numbers: a whole number, not zero."), "error")
        except DomainError as error:
            _fail(error)
        return redirect(url_for("backoffice.variant_stock", variant_id=variant.id)), 303
    return render_template("backoffice/variant_stock.html", variant=variant, movements=movements,
                           receive_form=receive_form, adjust_form=adjust_form)


@bp.get("/stock.csv")
def stock_export():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "product", "option", "on_hand", "reserved", "available", "low_stock_threshold"])
    for v in catalog_admin.stock_rows(current_user):
        writer.writerow([v.sku, v.product.name_th, v.name_th, v.stock_on_hand, v.stock_reserved, v.available, v.low_stock_threshold])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=stock.csv"})


def _csv_rows(form: ImportForm) -> list[dict[str, str]] | None:
    """The uploaded CSV's rows (UTF-8, BOM allowed, 2 MB at most), or None with a message."""
    try:
        return list(csv.DictReader(io.StringIO(form.file.data.read(2_000_000).decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        flash(_("That file is not a UTF-8 CSV file."), "error")
        return None


@bp.post("/stock/import")
def stock_import():
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Please choose a CSV file."), "error")
        return redirect(url_for("backoffice.stock")), 303
    rows = _csv_rows(form)
    if rows is None:
        return redirect(url_for("backoffice.stock")), 303
    errors = catalog_admin.import_stock_counts(current_user, rows)
    if errors:
        return render_template("backoffice/import_errors.html", errors=errors), 400
    flash(_("Stock counts imported: %(n)d rows.", n=len(rows)), "success")
    return redirect(url_for("backoffice.stock")), 303


# --- Shipments ----------------------------------------------------------------------------

SHIPMENT_FILTERS = ("to_pack", "packed", "shipped", "delivered", "cancelled")


@bp.get("/shipments")
def shipments():
    status = request.args.get("status", "to_pack")
    if status not in SHIPMENT_FILTERS:
        status = "to_pack"
    return render_template("backoffice/shipments.html", shipments=fulfilment.queue(current_user, status), status=status,
                           filters=SHIPMENT_FILTERS)


@bp.get("/shipments/<int:shipment_id>")
def shipment(shipment_id: int):
    found = _or_404(fulfilment.shipment(current_user, shipment_id))
    return render_template("backoffice/shipment.html", shipment=found, ship_form=ShipForm(), action_form=ActionForm())


@bp.get("/shipments/<int:shipment_id>/slip")
def packing_slip(shipment_id: int):
    found = _or_404(fulfilment.shipment(current_user, shipment_id))
    return render_template("backoffice/packing_slip.html", shipment=found)


@bp.post("/shipments/<int:shipment_id>/<step>")
def shipment_step(shipment_id: int, step: str):
    _or_404(fulfilment.shipment(current_user, shipment_id))
    actions = {"pack": fulfilment.mark_packed, "deliver": fulfilment.mark_delivered, "cancel": fulfilment.cancel_shipment,
               "cancel-refund": lambda actor, shipment_id: payment_refunds.cancel_and_refund(actor, shipment_id)}
    if step == "cancel-refund":
        _admin_only()
    try:
        if step == "ship":
            form = ShipForm()
            if not form.validate_on_submit():
                raise DomainError(_("Please give the carrier and the tracking number."))
            fulfilment.mark_shipped(current_user, shipment_id, form.carrier.data, form.tracking_number.data)
        elif step in actions and ActionForm().validate_on_submit():
            actions[step](current_user, shipment_id)
        else:
            abort(404)
        flash(_("Shipment updated; the customer has been emailed."), "success")
    except DomainError as error:
        _fail(error)
    return redirect(url_for("backoffice.shipment", shipment_id=shipment_id)), 303


# --- Payments (association admins) ----------------------------------------------------------

@bp.get("/payments")
def payments():
    _admin_only()
    return render_template("backoffice/payments.html", orders=promptpay.awaiting_transfers(current_user),
                           confirm_form=ConfirmTransferForm(), reject_form=RejectTransferForm())


@bp.post("/orders/<int:order_id>/confirm-transfer")
def confirm_transfer(order_id: int):
    _admin_only()
    form = ConfirmTransferForm()
    if form.validate_on_submit():
        try:
            outcome = promptpay.confirm_transfer(current_user, order_id, form.reference.data, form.amount.data)
            messages = {"paid": _("Payment confirmed: the order is paid and its parcels are in the centres' queues."),
                        "revived": _("Payment confirmed for an expired order: the stock was still there, so it is paid."),
                        "duplicate": _("That transfer was already recorded; nothing changed."),
                        "flagged": _("Payment recorded but the order needs attention (see the order).")}
            flash(messages[outcome], "success" if outcome in {"paid", "revived"} else "error")
        except DomainError as error:
            _fail(error)
    else:  # an amount refused for its form or its size says why
        flash(next(iter(form.amount.process_errors), None) or _("Please give the reference and the amount received."), "error")
    return redirect(url_for("backoffice.payments")), 303


@bp.post("/orders/<int:order_id>/reject-transfer")
def reject_transfer(order_id: int):
    _admin_only()
    form = RejectTransferForm()
    if form.validate_on_submit():
        try:
            promptpay.reject_transfer(current_user, order_id, form.note.data)
            flash(_("Order cancelled and its stock returned."), "success")
        except DomainError as error:
            _fail(error)
    return redirect(url_for("backoffice.payments")), 303


# --- Centres, staff, audit (association admins) -------------------------------------------

def _centre_choices(form: CentreForm) -> None:
    form.province_code.choices = [(p.code, f"{p.name_th} / {p.name_en}") for p in provinces()]
    form.region.choices = [(r, r) for r in REGIONS]


@bp.get("/centres")
def centres():
    _admin_only()
    return render_template("backoffice/centres.html", centres=centre_admin.centres())


@bp.route("/centres/new", methods=["GET", "POST"])
@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
def centre_edit(centre_id: int | None = None):
    _admin_only()
    centre = None
    if centre_id is not None:
        centre = _or_404(next((c for c in centre_admin.centres() if c.id == centre_id), None))
    form = CentreForm(obj=centre if request.method == "GET" else None)
    if request.method == "GET" and centre is not None:
        form.shipping_fee.data, form.free_shipping_from.data = centre.shipping_fee_satang, centre.free_shipping_from_satang
    _centre_choices(form)
    if form.validate_on_submit():
        data = {f.name: f.data for f in form if f.name not in {"csrf_token", "submit", "shipping_fee", "free_shipping_from"}}
        data["shipping_fee_satang"] = form.shipping_fee.data if form.shipping_fee.data is not None else 5000
        data["free_shipping_from_satang"] = form.free_shipping_from.data
        try:
            centre_admin.save_centre(current_user, data, centre_id)
            flash(_("Centre saved."), "success")
            return redirect(url_for("backoffice.centres")), 303
        except DomainError:
            form.slug.errors = [_("That short name is taken, or the province or region is not valid.")]
    return render_template("backoffice/centre_edit.html", form=form, centre=centre), 400 if form.errors else 200


@bp.route("/staff", methods=["GET", "POST"])
def staff():
    _admin_only()
    form = StaffForm()
    form.centre_id.choices = [(0, "—")] + [(c.id, c.name_th) for c in centre_admin.centres()]
    new_password = None
    if form.validate_on_submit():
        try:
            user, new_password = staff_admin.create_staff(current_user, form.email.data, form.name.data, form.role.data, form.centre_id.data or None)
            flash(_("Account created for %(email)s. Give them this first password: %(password)s", email=user.email, password=new_password), "success")
            return redirect(url_for("backoffice.staff")), 303
        except EmailTaken:
            form.email.errors = [_("There is already an account with this email.")]
        except DomainError:
            form.centre_id.errors = [_("Centre staff need a centre.")]
    return render_template("backoffice/staff.html", form=form, accounts=staff_admin.staff_accounts(), action_form=ActionForm()), 400 if form.errors else 200


@bp.post("/staff/<int:user_id>/<action>")
def staff_action(user_id: int, action: str):
    _admin_only()
    if not ActionForm().validate_on_submit() or action not in {"disable", "enable", "reset-password"}:
        abort(400)
    try:
        if action == "reset-password":
            user, password = staff_admin.reset_password(current_user, user_id)
            flash(_("New password for %(email)s: %(password)s", email=user.email, password=password), "success")
        else:
            staff_admin.set_enabled(current_user, user_id, action == "enable")
            flash(_("Account updated."), "success")
    except DomainError as error:
        _fail(error)
    return redirect(url_for("backoffice.staff")), 303


@bp.get("/audit")
def audit_log():
    return render_template("backoffice/audit.html", entries=audit.entries(current_user))


# --- Orders and refunds (association admins) --------------------------------------------------

@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    _admin_only()
    from shop.models import Order
    from shop.services.ordering import refunds
    from shop.services.ordering.checkout import order_by_number

    found = _or_404(db.session.get(Order, order_id))
    found = _or_404(order_by_number(found.number))
    return render_template("backoffice/order.html", order=found, action_form=ActionForm(), due=refunds.refund_due(found),
                           refunded=refunds.refunded_quantities(found.id), refunded_total=refunds.refunded_total(found.id))


@bp.get("/refunds-due")
def refunds_due():
    """Every order that owes its customer money: paid too late, parcels cancelled, paid twice."""
    _admin_only()
    from shop.services.ordering import refunds

    return render_template("backoffice/refunds_due.html", dues=refunds.refunds_due())


@bp.post("/orders/<int:order_id>/refund")
def order_refund(order_id: int):
    """Refund the whole order, a centre's parcel, or some lines (quantities per line)."""
    _admin_only()
    if not ActionForm().validate_on_submit():
        abort(400)
    from shop.models import Order

    found = _or_404(db.session.get(Order, order_id))
    lines: dict[int, int] = {}
    for line in found.lines:
        raw = request.form.get(f"qty-{line.id}", "0").strip() or "0"
        if not raw.isdigit() or len(raw) > 6:
            flash(_("Quantities must be whole numbers."), "error")
            return redirect(url_for("backoffice.order", order_id=order_id)), 303
        lines[line.id] = int(raw)
    shipments = [s.id for s in found.shipments if request.form.get(f"ship-{s.id}")]
    try:
        payment_refunds.refund(current_user, found.id, lines, shipments, restock=bool(request.form.get("restock")),
                       reason=request.form.get("reason", "")[:500])
        flash(_("Refund made; it counts against the centres' figures."), "success")
    except DomainError as error:
        _fail(error)
    return redirect(url_for("backoffice.order", order_id=order_id)), 303


# --- Offline sales and baselines ---------------------------------------------------------------

@bp.route("/offline-sales", methods=["GET", "POST"])
def offline_sales():
    """Staff record what their centre sold outside the shop; listed items leave the stock."""
    from datetime import date as date_type

    from shop.models import OFFLINE_CHANNELS
    from shop.services import money
    from shop.services.sales import offline

    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        centre_id = current_user.centre_id if not current_user.is_admin else request.form.get("centre_id", type=int)
        try:
            day = date_type.fromisoformat(request.form.get("day", ""))
            amount = money.parse_amount(request.form.get("amount", ""), money.AMOUNT)
            items = []
            for n in (1, 2, 3):
                sku, qty = request.form.get(f"sku-{n}", "").strip().upper(), request.form.get(f"qty-{n}", "").strip()
                if sku:
                    if not qty.isdigit() or not 0 < int(qty) <= 100_000:
                        raise ValueError(sku)
                    items.append((sku[:64], int(qty)))
            offline.record_offline_sale(current_user, centre_id or 0, day, request.form.get("channel", ""), amount,
                                        items, request.form.get("note", ""))
            flash(_("Sale recorded; it counts in your centre's totals."), "success")
        except DomainError as error:  # before ValueError: a refused amount (money.BadAmount) says why
            _fail(error)
        except ValueError:
            flash(_("Please give a date, an amount in baht, and SKUs of your centre with whole quantities."), "error")
        return redirect(url_for("backoffice.offline_sales")), 303
    return render_template("backoffice/offline_sales.html", sales=offline.offline_sales(current_user),
                           channels=OFFLINE_CHANNELS, centres=centre_admin.centres() if current_user.is_admin else [],
                           action_form=ActionForm(), import_form=ImportForm())


@bp.post("/baselines")
def baselines():
    """Admins import the sales of the years before the shop: centre, year, amount_baht."""
    from shop.services.sales import offline

    _admin_only()
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Please choose a CSV file."), "error")
        return redirect(url_for("backoffice.offline_sales")), 303
    rows = _csv_rows(form)
    if rows is None:
        return redirect(url_for("backoffice.offline_sales")), 303
    errors = offline.import_baselines(current_user, rows)
    if errors:
        return render_template("backoffice/import_errors.html", errors=errors), 400
    flash(_("Baselines imported: %(n)d rows.", n=len(rows)), "success")
    return redirect(url_for("backoffice.offline_sales")), 303
