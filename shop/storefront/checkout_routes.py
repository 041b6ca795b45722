"""Cart, checkout and order pages: thin views over the ordering and payments services."""
from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.i18n import current_language
from shop.language_urls import neutral_path
from shop.models import Order
from shop.models._base import utcnow
from shop.routing import safe_next
from shop.services import payments, trust
from shop.services.documents import files as document_files
from shop.services.documents import issuing as documents
from shop.services.errors import DomainError, OutOfStock, PriceChanged
from shop.services.ordering import cart as carts
from shop.services.ordering import checkout, lifecycle
from shop.services.ordering import refunds as owed
from shop.services.payments import promptpay, slips, stripe_checkout
from shop.services.thai import (
    AddressProblem,
    ThaiAddress,
    address_for_place,
    normalise_mobile,
    postcode_places,
    validate_address,
)
from shop.storefront import bp
from shop.storefront.cart_session import current_cart, current_cart_ref, current_or_new_cart
from shop.storefront.forms import CancelOrderForm, CartLineForm, CheckoutForm, PlaceOrderForm, SlipForm


def _stock_message(error: OutOfStock) -> str:
    available = error.details.get("available")
    if available is not None:
        if available <= 0:
            return _("Sorry, that option is out of stock.")
        return _("Sorry, only %(num)d left. Please choose a smaller quantity.", num=available)
    return str(error.message)


def _error_message(error: DomainError) -> str:
    return _stock_message(error) if isinstance(error, OutOfStock) else str(error.message)


# --- Cart -------------------------------------------------------------------------------

@bp.get("/cart")
def cart():
    summary = carts.summarise(current_cart())
    return render_template("storefront/cart.html", summary=summary, line_form=CartLineForm())


@bp.post("/cart/add")
def cart_add():
    back = request.form.get("back", "")
    try:
        variant_id = carts.parse_id(request.form.get("variant_id"))
        quantity = carts.parse_quantity(request.form.get("quantity", "1"))
        carts.add_item(current_or_new_cart(), variant_id, quantity)
    except DomainError as error:
        flash(_error_message(error), "error")
        cart_page = url_for("storefront.cart")
        return redirect(safe_next(back, cart_page) if neutral_path(back).startswith("/products/") else cart_page), 303
    flash(_("Added to your cart."), "success")
    return redirect(url_for("storefront.cart")), 303


@bp.post("/cart/update")
def cart_update():
    cart = current_cart()
    try:
        if cart is None:
            raise DomainError(_("Your cart has expired. Please add the products again."))
        variant_id = carts.parse_id(request.form.get("variant_id"))
        if "remove" in request.form:
            carts.remove_item(cart, variant_id)
            flash(_("Removed from your cart."), "success")
        elif "step" in request.form:  # the − / + buttons, without JavaScript
            carts.set_quantity(cart, variant_id, carts.step_quantity(request.form.get("quantity"), request.form.get("step")))
            flash(_("Your cart is updated."), "success")
        else:
            carts.set_quantity(cart, variant_id, carts.parse_quantity(request.form.get("quantity")))
            flash(_("Your cart is updated."), "success")
    except DomainError as error:
        flash(_error_message(error), "error")
    return redirect(url_for("storefront.cart")), 303


# --- Checkout -----------------------------------------------------------------------------

ADDRESS_MESSAGES = {
    "unknown_province": lambda p: _("Please choose a province from the list."),
    "postcode_format": lambda p: _("A postcode has 5 digits."),
    "unknown_district": lambda p: _("We cannot find that district in the chosen province."),
    "unknown_subdistrict": lambda p: _(
        "We cannot find that subdistrict in that district. Subdistricts there: %(names)s", names=", ".join(p.choices[:40])
    ),
    "not_in_postcode": lambda p: _("Please choose your subdistrict from the postcode's list."),
    "postcode_mismatch": lambda p: _(
        "That postcode does not belong to this subdistrict. Its postcode is %(codes)s.", codes=", ".join(p.choices)
    ),
}


INVOICE_MESSAGES = {
    "missing": lambda: _("For a tax invoice, please give the organisation's name, address and tax ID."),
    "tax_id": lambda: _("A tax ID has 13 digits, and the last one must match the check digit. Please check it."),
    "branch": lambda: _("A branch number has up to 5 digits."),
}


@bp.route("/checkout", methods=["GET", "POST"])
def checkout_details():
    summary = carts.summarise(current_cart())
    if summary.is_empty:
        flash(_("Your cart is empty."), "error")
        return redirect(url_for("storefront.cart")), 303
    lang = current_language()
    methods = payments.available_methods(current_app)
    saved = session.get("checkout", {})
    form = CheckoutForm(data=saved if request.method == "GET" else None)
    if request.method == "GET" and current_user.is_authenticated and not saved:
        form.email.data, form.contact_name.data, form.phone.data = current_user.email, current_user.name, current_user.phone
    form.set_choices(lang, methods)
    places = postcode_places(form.postcode.data)
    form.subdistrict_code.choices += [(p.code, p.name("subdistrict", lang)) for p in places]
    if request.method == "POST" and form.find_postcode.data:
        # The step without JavaScript: the postcode's subdistricts to choose from, nothing checked yet.
        if not places:
            form.postcode.errors = [_("We cannot find that postcode. Please check its 5 digits.")]
        return render_template("storefront/checkout.html", form=form, summary=summary, places=places), 200
    if form.validate_on_submit():
        phone = normalise_mobile(form.phone.data)
        if phone is None:
            form.phone.errors = [_("Please give a Thai mobile number: 10 digits starting 06, 08 or 09.")]
        address = _checked_address(form, places, lang)
        invoice, invoice_ok = None, True
        try:
            invoice = checkout.invoice_details(form.invoice_name.data, form.invoice_address.data, form.invoice_tax_id.data,
                                               form.invoice_branch.data)
        except checkout.InvoiceProblem as problem:
            getattr(form, problem.field).errors = [INVOICE_MESSAGES[problem.code]()]
            invoice_ok = False
        if phone and address and invoice_ok:
            session["checkout"] = {
                "contact_name": form.contact_name.data.strip(),
                "email": form.email.data.strip().lower(),
                "phone": phone,
                "address_line": form.address_line.data.strip(),
                "subdistrict_code": address.subdistrict_code,
                "subdistrict": address.subdistrict,
                "district": address.district,
                "province": address.province_code,
                "postcode": address.postcode,
                "payment_method": form.payment_method.data,
                "invoice_name": invoice.name if invoice else "",
                "invoice_address": invoice.address if invoice else "",
                "invoice_tax_id": invoice.tax_id if invoice else "",
                "invoice_branch": invoice.branch if invoice else "",
                # When the buyer agreed to the privacy notice, and to which version (kept with the order).
                "privacy_consent_at": utcnow().isoformat(),
                "privacy_notice_version": trust.PRIVACY_NOTICE_VERSION,
            }
            return redirect(url_for("storefront.checkout_review")), 303
    # Typed address parts are not shown on the page: their problems are shown at the subdistrict choice.
    for typed in (form.subdistrict, form.district, form.province):
        if typed.errors:
            form.subdistrict_code.errors = [*form.subdistrict_code.errors, *typed.errors]
    status = 400 if request.method == "POST" else 200
    return render_template("storefront/checkout.html", form=form, summary=summary, places=places), status


def _checked_address(form: CheckoutForm, places: list, lang: str) -> ThaiAddress | None:
    """The address from the subdistrict picked in the postcode's list (or, as before, typed); errors on the form."""
    code = form.subdistrict_code.data or ""
    typed = bool(form.subdistrict.data or form.district.data or form.province.data)
    if not code and not typed:
        if len(places) == 1:  # a postcode with one subdistrict needs no choice
            code = places[0].code
        elif form.postcode.errors:
            return None
        else:
            target = form.subdistrict_code if places else form.postcode
            target.errors = [_("Please choose your subdistrict from the list.") if places
                             else _("We cannot find that postcode. Please check its 5 digits.")]
            return None
    try:
        if code:
            return address_for_place(code, form.postcode.data, lang)
        return validate_address(form.province.data, form.district.data, form.subdistrict.data, form.postcode.data, lang)
    except AddressProblem as problem:
        field = problem.field if (problem.field == "postcode" or not code) else "subdistrict_code"
        getattr(form, field).errors = [ADDRESS_MESSAGES[problem.code](problem)]
        return None


@bp.get("/checkout/postcode/<postcode>.json")
def postcode_lookup(postcode: str):
    """The postcode's subdistricts for the checkout's script (names in Thai and English): public data."""
    places = postcode_places(postcode[:5] if len(postcode) == 5 else "")
    response = jsonify({"postcode": postcode[:5], "places": [p.as_json() for p in places]})
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _details_from_session() -> checkout.CheckoutDetails | None:
    saved = session.get("checkout")
    if not saved:
        return None
    try:
        address = validate_address(saved["province"], saved["district"], saved["subdistrict"], saved["postcode"])
    except (AddressProblem, KeyError):
        return None
    try:
        invoice = checkout.invoice_details(*(str(saved.get(f"invoice_{key}", "")) for key in ("name", "address", "tax_id", "branch")))
    except checkout.InvoiceProblem:
        return None
    try:
        consent_at = datetime.fromisoformat(saved["privacy_consent_at"])
    except (KeyError, TypeError, ValueError):
        return None  # details saved before the consent was asked for: ask again
    return checkout.CheckoutDetails(
        email=saved["email"], contact_name=saved["contact_name"], phone=saved["phone"],
        address_line=saved["address_line"], address=address, invoice=invoice,
        privacy_consent_at=consent_at, privacy_notice_version=str(saved.get("privacy_notice_version", "")),
    )


@bp.get("/checkout/review")
def checkout_review():
    details = _details_from_session()
    if details is None:
        return redirect(url_for("storefront.checkout_details")), 303
    cart = current_cart()
    summary = carts.summarise(cart)
    if cart is None or summary.is_empty:
        flash(_("Your cart is empty."), "error")
        return redirect(url_for("storefront.cart")), 303
    form = PlaceOrderForm(token=checkout.place_order_token(cart), fingerprint=summary.fingerprint())
    method = payments.all_methods().get(session["checkout"].get("payment_method", ""))
    return render_template("storefront/review.html", summary=summary, details=details, form=form, method=method)


@bp.post("/checkout/place")
def checkout_place():
    # The reads that may refuse ("sold out") run outside any transaction, on the prepared
    # connection; placing the order begins its own.
    form = PlaceOrderForm()
    cart = current_cart_ref()
    # The token must come from this visitor's own review page: another's is refused, not replayed.
    if not form.validate_on_submit() or not checkout.is_place_order_token(form.token.data, cart):
        flash(_("Your order form was incomplete or too old. Please review your order and try again."), "error")
        return redirect(url_for("storefront.checkout_review")), 303
    details = _details_from_session()
    if details is None:
        existing = checkout.order_by_key(form.token.data)
        if existing is not None:  # a retried POST from a session that has lost its details since
            return redirect(order_link(existing)), 303
        flash(_("Please fill in your contact and address first."), "error")
        return redirect(url_for("storefront.checkout_details")), 303
    try:
        # A double click or a retried POST gets the order already placed with this token.
        order = payments.place_order(
            cart,
            details,
            payment_method=session["checkout"].get("payment_method", ""),
            idempotency_key=form.token.data,
            expected_fingerprint=form.fingerprint.data,
            user_id=current_user.id if current_user.is_authenticated else None,
            lang=current_language(),
        )
    except DomainError as error:
        flash(_error_message(error), "error")
        target = "storefront.checkout_review" if isinstance(error, PriceChanged) else "storefront.cart"
        return redirect(url_for(target)), 303
    return redirect(order_link(order)), 303


# --- Orders -------------------------------------------------------------------------------

def order_link(order) -> str:
    """The order page, with a signed key so a guest can come back to it from the email."""
    return url_for("storefront.order", number=order.number, key=checkout.order_access_key(order.number))


def _may_see(order) -> bool:
    if current_user.is_authenticated and order.user_id == current_user.id:
        return True
    return checkout.is_order_access_key(order.number, request.args.get("key", ""))


def _visible_order_or_404(number: str) -> Order:
    """The order, if this visitor may see it; the same 404 for "no such order" and "not yours"."""
    found = checkout.order_by_number(number[:20])
    if found is None or not _may_see(found):
        abort(404)
    return found


@bp.get("/orders/<number>")
def order(number: str):
    found = _visible_order_or_404(number)
    method = payments.all_methods().get(found.payment_method)
    pay = method.instructions(found, current_app.config) if (method and found.is_open) else None
    return render_template("storefront/order.html", order=found, pay=pay, cancel_form=CancelOrderForm(), slip_form=SlipForm(),
                           refunds=owed.refunds_of(found.id), refunded=lifecycle.refunded_quantities(found.id),
                           documents=documents.documents_of(found.id))


@bp.get("/orders/<number>/documents/<document_number>.pdf")
def order_document(number: str, document_number: str):
    """The receipt or a credit note, as first issued: the same bytes every time."""
    found = _visible_order_or_404(number)
    document = documents.document_of_order(found.id, document_number)
    lang = request.args.get("lang", current_language())
    if document is None or lang not in document_files.LANGS:
        abort(404)
    pdf = document_files.original_pdf(document.id, lang)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={document_files.filename(document, lang)}"})


@bp.get("/orders/<number>/promptpay-qr.png")
def order_qr_picture(number: str):
    """The QR as a picture to save: a bank app on the same phone scans it from the gallery."""
    found = _visible_order_or_404(number)
    png = promptpay.qr_picture(found, current_app.config)
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png",
                    headers={"Content-Disposition": f"attachment; filename={found.number}.png", "Cache-Control": "private, no-store"})


@bp.post("/orders/<number>/slip")
def order_slip(number: str):
    """The customer sends the transfer slip; the order then waits for an admin's confirmation."""
    found = _visible_order_or_404(number)
    form = SlipForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(str(e) for e in form.slip.errors) or _("Please choose the slip's picture."), "error")
        return redirect(order_link(found)), 303
    try:
        slips.submit_slip(found.id, form.slip.data.stream)
        flash(_("Slip received. Our staff will check the transfer and confirm your order; you will get an email."), "success")
    except DomainError as error:
        flash(str(error.message), "error")
    return redirect(order_link(found)), 303


@bp.post("/orders/<number>/pay")
def order_pay(number: str):
    """Start (or resume) paying by Stripe: the browser goes to Stripe's payment page."""
    found = _visible_order_or_404(number)
    if not CancelOrderForm().validate_on_submit():  # only its CSRF token matters here
        abort(400)
    try:
        url = stripe_checkout.start_checkout(found.id, current_app.config["PUBLIC_URL"])
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(order_link(found)), 303
    return redirect(url), 303


@bp.get("/orders/<number>/paid")
def order_paid(number: str):
    """Back from Stripe. The query string proves nothing: ask Stripe if no webhook came yet."""
    found = _visible_order_or_404(number)
    if found.status == "awaiting_payment" and found.payment_method == "stripe":
        stripe_checkout.refresh_order(found.id)
    return redirect(order_link(found)), 303


@bp.get("/orders/<number>/payment-cancelled")
def order_payment_cancelled(number: str):
    found = _visible_order_or_404(number)
    flash(_("The payment was not completed. Your items are still held: you can try again."), "error")
    return redirect(order_link(found)), 303


@bp.post("/orders/<number>/cancel")
def order_cancel(number: str):
    found = _visible_order_or_404(number)
    form = CancelOrderForm()
    if form.validate_on_submit():
        try:
            lifecycle.cancel(found.id, "cancelled by the customer")
            flash(_("Your order is cancelled."), "success")
        except DomainError as error:
            flash(str(error.message), "error")
    return redirect(order_link(found)), 303
