"""Relearn Shop: the application factory, the one way in."""
from __future__ import annotations

import logging

from flask import Flask, abort, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from shop import compression, language_urls, ops
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
    movement_label,
    order_status_label,
    region_label,
    select_locale,
    shipment_status_label,
)
from shop.ops.logs import report_error
from shop.reports import bp as reports_bp
from shop.routing import IdConverter
from shop.services import effects
from shop.services.money import format_baht
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
    if app.config.get("TRUST_PROXY_HEADERS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    _init_extensions(app)
    effects.connect()
    _warn_about_per_process_rate_limits(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    _register_security_headers(app)
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
    if app.config.get("REDIS_URL"):
        cache_config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        cache_config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config={**cache_config, "CACHE_KEY_PREFIX": "relearn:"})
    limiter.init_app(app)
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

    @app.context_processor
    def inject_language() -> dict:
        lang = current_language()
        return {
            "lang": lang,
            "languages": LANGUAGES,
            "loc": lambda obj, field: obj.localised(field, lang),
        }


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
        if any(isinstance(value, str) and "\x00" in value for value in values):
            abort(400)


def _register_security_headers(app: Flask) -> None:
    # Forms may lead only here, or (by redirect) to the payment provider's page.
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action 'self' {app.config['STRIPE_CHECKOUT_ORIGIN']}; frame-ancestors 'none'; base-uri 'self'"
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


logging.getLogger("PIL").setLevel(logging.WARNING)
