"""Thai by default, English on request: an /en/ address is English (shop/language_urls.py);
elsewhere the choice made with the visible switch, kept in the signed session cookie."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from shop.language_urls import url_language

LANGUAGES = {"th": "ไทย", "en": "English"}
DEFAULT_LANGUAGE = "th"

REGION_LABELS = {
    "north": _l("Northern region"),
    "northeast": _l("Northeastern region"),
    "central": _l("Central region"),
    "south": _l("Southern region"),
}


def select_locale() -> str:
    if not has_request_context():  # CLI commands and services called outside a request
        return DEFAULT_LANGUAGE
    lang = url_language() or session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def region_label(region: str) -> str:
    label = REGION_LABELS.get(region)
    return str(label) if label else region

ORDER_STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"),
    "slip_received": _l("Slip received"),
    "paid": _l("Paid"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired (not paid in time)"),
}

SHIPMENT_STATUS_LABELS = {
    "to_pack": _l("To pack"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}


def order_status_label(status: str) -> str:
    return str(ORDER_STATUS_LABELS.get(status, status))


def shipment_status_label(status: str) -> str:
    return str(SHIPMENT_STATUS_LABELS.get(status, status))

MOVEMENT_LABELS = {
    "initial": _l("First stock"),
    "receive": _l("Received"),
    "adjust": _l("Adjusted"),
    "reserve": _l("Held for an order"),
    "release": _l("Hold released"),
    "ship": _l("Shipped"),
    "return": _l("Returned"),
    "transfer": _l("Moved between places"),
    "booth_sale": _l("Sold at a booth"),
    "consignment_sale": _l("Sold by a store (consignment)"),
    "count": _l("Stock count"),
}


def movement_label(reason: str) -> str:
    return str(MOVEMENT_LABELS.get(reason, reason))

CHANNEL_LABELS = {
    "online_shop": _l("Online shop"),
    "department_store": _l("Department store"),
    "fair": _l("Fair or exhibition"),
    "centre_counter": _l("Centre counter"),
    "other_online": _l("Other online market"),
    "workshop": _l("Workshop"),
    "before_shop": _l("Before the shop (baseline)"),
}


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def _translations():
    """This context's catalogue, as Flask-Babel's get_translations() gives it, kept beside the
    locale it is for (a forced locale or refresh() changes the locale, so it is looked up again):
    a page calls gettext dozens of times, and each full lookup walks several context locals."""
    ctx = _cv_app.get(None)  # the app context's g itself, not through its proxy
    try:
        babel = ctx.g._flask_babel  # type: ignore[union-attr]
        locale = babel.babel_locale
        kept = babel.shop_translations
        if kept[0] is locale:
            return kept[1]
    except AttributeError:  # no context, or nothing looked up in it yet
        pass
    translations = get_translations()
    try:
        babel = g._flask_babel
        babel.shop_translations = (babel.babel_locale, translations)
    except (AttributeError, RuntimeError):
        pass
    return translations


KEPT_TRANSLATIONS = 5000  # templates' strings are literals; the bound is for safety


@pass_context
def template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """A template's _() and gettext(), as jinja2's "newstyle" gettext does it (in an autoescaped
    template the translation is Markup and the variables are escaped into it; `%` formatting
    always, so "%%" is "%"), in one call where jinja2's takes three.

    A page calls _() dozens of times, mostly with no variables: each catalogue keeps those
    answers, per string and per autoescape, for as long as the catalogue lives.
    """
    translations = _translations()
    autoescape = context.eval_ctx.autoescape
    if variables:
        translated: str = translations.ugettext(string)
        return (Markup(translated) if autoescape else translated) % variables
    try:
        kept: dict[tuple[str, bool], str] = translations.shop_kept  # type: ignore[union-attr]
    except AttributeError:
        kept = translations.shop_kept = {}  # type: ignore[union-attr]
    answer = kept.get((string, autoescape))
    if answer is None:
        translated = translations.ugettext(string)
        answer = (Markup(translated) if autoescape else translated) % variables
        if len(kept) < KEPT_TRANSLATIONS:
            kept[string, autoescape] = answer
    return answer


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), ngettext() and pgettext() through _translations() (as Flask-Babel installs them)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = template_gettext


SHARED_PARTS_KEPT = 100  # a few parts, per language and address root: the bound is for safety


def shared_part(name: str) -> Markup:
    """A part of the layout that is the same on every page of a language (the head's links, the
    menu's links, the footer), rendered once per worker for each language and address root and
    then reused: a page no longer pays for their forty-odd links and strings.

    Only parts that show nothing of the visitor or of the page belong here. They change only with
    a release (templates, translations, static files' versions), which starts new workers.
    """
    environ = request.environ
    key = (name, current_language(), environ.get("SCRIPT_NAME", ""), environ.get("HTTP_HOST", ""),
           environ.get("wsgi.url_scheme", ""))
    parts: dict[tuple[str, ...], Markup] = current_app.extensions.setdefault("shared_parts", {})
    part = parts.get(key)
    if part is None:
        part = Markup(render_template(name))
        if len(parts) >= SHARED_PARTS_KEPT:
            parts.clear()
        parts[key] = part
    return part
