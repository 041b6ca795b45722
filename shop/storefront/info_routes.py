"""Pages that let a customer trust the shop: shipping and returns, the privacy notice (PDPA),
how to reach the association, and the web app manifest (the icon on a phone's home screen)."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

from shop.services import trust
from shop.storefront import bp


@bp.get("/shipping-and-returns")
def shipping_returns():
    return render_template("storefront/shipping_returns.html",
                           default_fee=current_app.config["DEFAULT_SHIPPING_FEE_BAHT"] * 100,
                           hold_hours=current_app.config["PROMPTPAY_HOLD_HOURS"])


@bp.get("/privacy")
def privacy():
    config = current_app.config
    return render_template("storefront/privacy.html", version=trust.PRIVACY_NOTICE_VERSION,
                           cart_days=config["CART_LIFETIME_DAYS"], backup_days=config["BACKUP_KEEP"])


@bp.get("/contact")
def contact():
    return render_template("storefront/contact.html")


@bp.get("/manifest.webmanifest")
def web_manifest():
    """Add to home screen: the shop's name and icons (Thai first, as the shop is)."""
    manifest = {
        "name": _("Relearn Shop"),
        "short_name": _("Relearn Shop"),
        "lang": "th",
        "start_url": url_for("storefront.home"),
        "display": "browser",
        "background_color": "#fbf7f0",
        "theme_color": "#4d7a3a",
        "icons": [
            {"src": url_for("static", filename="img/icon-180.png"), "sizes": "180x180", "type": "image/png"},
            {"src": url_for("static", filename="img/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
        ],
    }
    response = jsonify(manifest)
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
