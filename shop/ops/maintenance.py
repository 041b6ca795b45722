"""The storefront's side of maintenance mode: a friendly 503 page with Retry-After.

Open all the same: the back office, reports and API, sign-in (and password reset), Stripe
webhooks, /healthz, /readyz, /metrics and static files. Signed-in admins see the whole shop,
so they can check it before opening it again.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.i18n import current_language
from shop.services import maintenance

CLOSED_BLUEPRINTS = frozenset({"storefront", "account"})
OPEN_ENDPOINTS = frozenset({
    "storefront.healthz", "storefront.media", "storefront.set_language",
    "account.sign_in", "account.sign_out", "account.forgot", "account.reset",
})


def _texts(lang: str) -> dict[str, str]:
    with force_locale(lang):
        return {
            "lang": lang,
            "title": _("Closed for a short while"),
            "body": _("We are updating the shop. Please come back in a few minutes: your cart and your orders are safe."),
            "contact": _("For an urgent question about an order, call us or write on LINE."),
        }


def closed_page():

    first = current_language()
    texts = [_texts(first)] + [_texts(lang) for lang in ("th", "en") if lang != first]
    html = render_template("errors/maintenance.html", texts=texts)
    return html, 503, {"Retry-After": str(current_app.config.get("MAINTENANCE_RETRY_AFTER", 600)), "Cache-Control": "no-store"}


def _guard():
    endpoint = request.endpoint or ""
    if endpoint.partition(".")[0] not in CLOSED_BLUEPRINTS or endpoint in OPEN_ENDPOINTS:
        return None
    if not maintenance.is_on():
        return None
    if current_user.is_authenticated and current_user.is_admin:
        return None
    return closed_page()


def init_maintenance(app: Flask) -> None:
    app.before_request(_guard)
    with app.app_context():
        maintenance.remember_switch()
