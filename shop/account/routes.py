"""Register, sign in and out, reset a forgotten password, see one's orders."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shop.account import bp
from shop.account.forms import ForgotForm, RegisterForm, ResetForm, SignInForm, SignOutForm
from shop.extensions import limiter
from shop.i18n import current_language
from shop.language_urls import localised_path, neutral_path
from shop.routing import is_safe_path, safe_next
from shop.services.notifications import send_email
from shop.services.ordering import cart as carts
from shop.services.people import accounts


def _safe_next(target: str | None) -> str:
    """Back to the page that asked for the sign-in (in the visitor's language), else the person's own home page."""
    if is_safe_path(target):
        return localised_path(neutral_path(str(target)), current_language())
    if current_user.is_authenticated and current_user.is_staff:
        return safe_next(target, url_for("backoffice.home"))
    return safe_next(target, url_for("account.orders"))


def _signed_in(user) -> None:
    guest_cart_id = session.pop("cart_id", None)
    guest_cart = carts.find_cart(guest_cart_id, None, current_app.config["CART_LIFETIME_DAYS"]) if guest_cart_id else None
    lang = session.get("lang")
    checkout_details = session.get("checkout")
    session.clear()  # a new session on sign-in: nothing fixed before it carries over
    if lang:
        session["lang"] = lang
    if checkout_details:
        session["checkout"] = checkout_details
    login_user(user)
    session["signed_in_at"] = datetime.now(UTC).isoformat()
    session.permanent = True
    carts.merge_into_account(guest_cart, user.id)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, form.name.data, current_language())
        except accounts.EmailTaken:
            form.email.errors = [_("There is already an account with this email. Sign in, or reset the password.")]
        else:
            _signed_in(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(_safe_next(request.args.get("next"))), 303
    return render_template("account/register.html", form=form), 400 if request.method == "POST" else 200


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=_email_key)
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _signed_in(user)
            flash(_("You are signed in."), "success")
            return redirect(_safe_next(request.args.get("next"))), 303
        # One answer for a wrong password, an unknown email and a locked account alike.
        form.password.errors = [_(
            "That email and password do not match an account, or the account is locked for a while after "
            "too many failed tries. Check them and try again in a few minutes, or reset your password."
        )]
    return render_template("account/sign_in.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():
        lang = session.get("lang")
        if current_user.is_authenticated:
            accounts.end_sessions(current_user.id)  # copies of this cookie stop working too
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You are signed out."), "success")
    return redirect(url_for("storefront.home")), 303


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is not None and user.is_enabled:
            token = accounts.reset_token(user, current_app.config["SECRET_KEY"])
            link = url_for("account.reset", token=token, _external=True)
            send_email(user.email, "password_reset", user.lang or current_language(), user=user, link=link)
        # The same answer either way, so the form does not reveal who has an account.
        flash(_("If an account uses that email, we have sent it a link to set a new password."), "success")
        return redirect(url_for("account.sign_in")), 303
    return render_template("account/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = accounts.user_for_reset_token(token, current_app.config["SECRET_KEY"])
    if user is None:
        flash(_("That link is not valid any more. Please ask for a new one."), "error")
        return redirect(url_for("account.forgot")), 303
    form = ResetForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        flash(_("Your password is changed. Please sign in."), "success")
        return redirect(url_for("account.sign_in")), 303
    return render_template("account/reset.html", form=form)


@bp.get("/orders")
@login_required
def orders():
    return render_template("account/orders.html", orders=accounts.orders_of(current_user.id))
