"""Relearn Shop: the application factory, the one way in."""
from __future__ import annotations

import logging

from flask import Flask, abort, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from shop import caching, compression, early_pages, language_urls, ops
from shop.account import bp as account_bp
from shop.api import bp as api_bp
from shop.backoffice import bp as backoffice_bp
from shop.cli import register_commands
from shop.config import BASE_DIR, Config
from shop.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from shop.i18n import (
    LANGUAGES,
    channel_label,
    current_language,
    install_template_gettext,
    movement_label,
    order_status_label,
    region_label,
    select_locale,
    shared_part,
    shipment_status_label,
)
from shop.ops.logs import report_error
from shop.reports import bp as reports_bp
from shop.routing import IdConverter
from shop.services import effects, trust
from shop.services.money import format_baht
from shop.services.ordering import attention
from shop.services.people.accounts import user_for_session
from shop.services.thai import format_date, format_datetime, to_bangkok
from shop.storefront import bp as storefront_bp
from shop.webhooks import bp as webhooks_bp


def create_app(config: object | None = None) -> Flask:
    ops.require_compiled_catalogues()  # never serve English silently under a Thai page
    config = config or Config()
    app = language_urls.ShopFlask(
        __name__,
        instance_path=getattr(config, "INSTANCE_PATH", None),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.config.from_object(config)
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    language_urls.init_app(app)  # /en/... is the English shop
    if not app.config.get("CACHE_RELEASE"):  # a release may name itself; else the digest of its templates
        app.config["CACHE_RELEASE"] = caching.release_tag([BASE_DIR / "templates", BASE_DIR / "shop" / "translations"])
    early = early_pages.init_app(app)  # cached pages for anonymous visitors, before Flask's machinery
    if app.config.get("TRUST_PROXY_HEADERS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    _init_extensions(app)
    effects.connect()
    _warn_about_per_process_rate_limits(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    early.headers = _register_security_headers(app)
    _register_input_guards(app)
    ops.init_app(app)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: "Asia/Bangkok",
        default_translation_directories=str(BASE_DIR / "shop" / "translations"),
    )
    install_template_gettext(app)
    if app.config.get("REDIS_URL"):
        cache_config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        cache_config = {"CACHE_TYPE": "shop.worker_cache.WorkerCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config={**cache_config, "CACHE_KEY_PREFIX": "relearn:"})
    caching.init_near_cache(app)
    limiter.init_app(app)
    _check_limits_only_where_set(app)
    compression.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "account.sign_in"
    login_manager.session_protection = "strong"
    login_manager.login_message = _l("Please sign in to see that page.")

    @login_manager.user_loader
    def load_user(user_id: str):
        # "id:generation": a session ended on the server (sign-out, new password, disabled
        # account) carries an old generation and finds nobody, so the visitor is signed out.
        return user_for_session(user_id)


def _check_limits_only_where_set(app: Flask) -> None:
    """The shop's only rate limits are on the views that carry them (sign-in), which check them
    themselves. Flask-Limiter also checks default and blueprint limits before every request, of
    which the shop has none: a fifth of the cost of the lightest page, so that check is dropped
    (and kept if RATELIMIT_DEFAULT is ever set)."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]  # noqa: SLF001 - its own hook


def _warn_about_per_process_rate_limits(app: Flask) -> None:
    """Flask-Limiter's memory storage counts in each worker apart, so N workers allow N times
    the limit. Warn when it is in use by a server that may run several processes: any server but
    the `flask` command's, outside debug and testing. (Account lock-outs are in the database and
    hold regardless; the per-address limits need REDIS_URL.)"""
    in_memory = app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")
    if in_memory and not (app.debug or app.testing or app.config.get("STARTED_BY_FLASK_COMMAND")):
        app.logger.warning(
            "Sign-in rate limits are counted in this process's memory (REDIS_URL is unset): with several "
            "workers or servers each counts apart, so the limits are not kept. Set REDIS_URL to share them."
        )


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any route: every <int:id> is a database id
    limiter.exempt(storefront_bp)  # only sign-in is limited; the catalogue pays nothing for it
    app.register_blueprint(storefront_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp)


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["baht"] = format_baht
    app.jinja_env.filters["thaidate"] = lambda value, long=False: format_date(value, current_language(), long)
    app.jinja_env.filters["thaidatetime"] = lambda value: format_datetime(value, current_language())
    app.jinja_env.filters["bangkok_time"] = lambda value: f"{to_bangkok(value):%H:%M}"
    app.jinja_env.filters["region"] = region_label
    app.jinja_env.filters["order_status"] = order_status_label
    app.jinja_env.filters["shipment_status"] = shipment_status_label
    app.jinja_env.filters["movement"] = movement_label
    app.jinja_env.filters["channel"] = channel_label
    app.jinja_env.filters["attention"] = attention.messages  # an order's notes, in the reader's language

    app.jinja_env.globals["tracking_url"] = trust.tracking_url
    app.jinja_env.globals["line_chat_url"] = trust.line_chat_url
    app.jinja_env.globals["shared_part"] = shared_part

    @app.context_processor
    def inject_language() -> dict:
        lang = current_language()
        config = app.config
        return {
            "lang": lang,
            "languages": LANGUAGES,
            "loc": lambda obj, field: obj.localised(field, lang),
            "cart_count_placeholder": caching.CART_COUNT_PLACEHOLDER,
            "contact": {
                "phone": config["CONTACT_PHONE"], "phone_digits": "".join(c for c in config["CONTACT_PHONE"] if c.isdigit()),
                "line_id": config["CONTACT_LINE_ID"], "email": config["CONTACT_EMAIL"],
                "address": config["CONTACT_ADDRESS_EN"] if lang == "en" else config["CONTACT_ADDRESS_TH"],
            },
        }

    @app.after_request
    def personalise_page(response):
        """Every HTML page's header carries the visitor's cart count (storefront pages are done already)."""
        return caching.personalise(response)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Keep the error's own headers (a 405's Allow), not its content type.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if request.path.startswith("/api/"):
            return {"error": error.name, "message": error.description}, error.code, headers
        return render_template("errors/error.html", error=error), error.code, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        report_error(error)
        db.session.rollback()
        return render_template("errors/error.html", error=None), 500


def _register_input_guards(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes():
        """NUL cannot be stored in PostgreSQL text; such input is malformed, never a 500."""
        values = [request.path, *request.args.keys(), *request.args.values()]
        if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            values += [*request.form.keys(), *request.form.values()]
        # werkzeug names a multipart part None when its name has a line break in it; files are not text
        if any(value is None or (isinstance(value, str) and "\x00" in value) for value in values):
            abort(400)


def _register_security_headers(app: Flask) -> list[tuple[str, str]]:
    """Every response's security headers; returned for the early page path to send alike."""
    # Forms may lead only here, or (by redirect) to the payment provider's page.
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self' {app.config['STRIPE_CHECKOUT_ORIGIN']}; frame-ancestors 'none'; base-uri 'self'"
    )
    headers = [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def security_headers(response):
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response

    return headers


logging.getLogger("PIL").setLevel(logging.WARNING)
