"""Logs as JSON lines, one per request, with a request id; errors to Sentry when configured.

A request line holds the method, the path (never the query string; secret path parts such as
a password-reset token masked), the status, the duration, the signed-in user's id and the
request id. Form fields, cookies and headers are never logged.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request, session
from flask.logging import default_handler

from shop.services.parsing import parse_id

# An incoming X-Request-ID is kept only when it looks like an id (a proxy's UUID, say).
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
# URL parts that are secrets (e.g. /account/reset/<token>) are masked in the logged path.
SECRET_VIEW_ARGS = frozenset({"token", "key", "secret", "password"})
MASK = "[masked]"
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _JsonHandler(logging.StreamHandler):
    """Marks the handler this module installs, so a second create_app replaces it."""


class RequestIdFilter(logging.Filter):
    """Every record logged during a request carries that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def configure_logging(app: Flask) -> None:

    logger = app.logger
    if not any(isinstance(f, RequestIdFilter) for f in logger.filters):
        logger.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT", "json") != "json":
        return
    for handler in list(logger.handlers):
        if handler is default_handler or isinstance(handler, _JsonHandler):
            logger.removeHandler(handler)
    handler = _JsonHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)


def request_id() -> str:
    return g.get("request_id") or "-"


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def logged_path() -> str:
    """The request path without its query string, with secret URL parts masked."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_VIEW_ARGS and str(value):
            path = path.replace(str(value), MASK)
    return path


def _user_id() -> int | None:
    user = g.get("_login_user")  # only when the request already loaded it: logging costs no query
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id
    if request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME", "session")) and "_user_id" in session:
        # "id:generation" (see accounts.user_for_session); only ASCII digits are an id
        return parse_id(str(session["_user_id"]).partition(":")[0])
    return None


def _log_request(app: Flask, response):
    if "request_id" not in g:
        _start_request()
    response.headers["X-Request-ID"] = g.request_id
    started = g.get("request_started", time.perf_counter())
    app.logger.info(
        "%s %s %s", request.method, logged_path(), response.status_code,
        extra={
            "event": "request",
            "request_id": g.request_id,
            "method": request.method,
            "path": logged_path(),
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": _user_id(),
        },
    )
    return response


def init_request_logging(app: Flask) -> None:
    configure_logging(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(lambda response: _log_request(app, response))


def init_sentry(app: Flask) -> bool:
    """Send unexpected errors to Sentry when SENTRY_DSN is set; returns whether it did."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    # Loaded only when SENTRY_DSN is set: a shop without Sentry never imports it.
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    options = {
        "dsn": dsn,
        "environment": app.config.get("SENTRY_ENVIRONMENT") or "production",
        "integrations": [FlaskIntegration()],  # Sentry's default: no cookies, form fields, e-mails or IPs
        "traces_sample_rate": 0.0,
    }
    if app.config.get("SENTRY_TRANSPORT") is not None:  # tests: no network
        options["transport"] = app.config["SENTRY_TRANSPORT"]
    sentry_sdk.init(**options)
    return True


def report_error(error: BaseException) -> None:
    """The shop's own 500 handler catches everything, so Flask's signal never fires: tell Sentry here."""
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is in requirements.txt
        return
    if sentry_sdk.get_client().is_active():
        sentry_sdk.capture_exception(error)
