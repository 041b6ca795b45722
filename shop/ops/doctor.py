"""`flask doctor`: what a production shop needs, one line each, with what to fix.

Each check takes the app (config, database) and returns a Finding. OK and WARNING never
fail the command; any ERROR makes it exit non-zero.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text

from shop.config import DEMO_PROMPTPAY_ID, DEMO_PROMPTPAY_NAME
from shop.extensions import db
from shop.ops.catalogues import COMPILE_COMMAND, catalogue_problems
from shop.ops.health import check_redis as ping
from shop.services.payments.promptpay import build_payload

OK, WARNING, ERROR = "ok", "warning", "error"
WEAK_SECRETS = {"change-me", "changeme", "secret", "dev", "development", "test", "password", "please-change-me"}
MIN_SECRET_LENGTH = 32
MAX_CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Finding:
    level: str
    name: str
    message: str

    def line(self) -> str:
        return f"{self.level.upper():8} {self.name}: {self.message}"


def check_secret_key(app: Flask) -> Finding:
    key = app.config.get("SECRET_KEY") or ""
    name = "secret key"
    if not key:
        return Finding(ERROR, name, "SECRET_KEY is empty: set it to a long random value (python3 -c 'import secrets; print(secrets.token_urlsafe(48))').")
    weak = (
        len(key) < MIN_SECRET_LENGTH
        or key.lower() in WEAK_SECRETS
        or len(set(key)) < 10
        or "change" in key.lower()
    )
    if weak:
        return Finding(ERROR, name, f"SECRET_KEY is weak (it needs {MIN_SECRET_LENGTH}+ random characters): "
                                    "set it to the output of python3 -c 'import secrets; print(secrets.token_urlsafe(48))'.")
    if not app.config.get("SECRET_KEY_FROM_ENVIRONMENT"):
        return Finding(OK, name, "generated into instance/secret_key (set SECRET_KEY itself when several servers run).")
    return Finding(OK, name, "set and strong.")


def check_cookies(app: Flask) -> Finding:
    name = "cookies"
    if not (app.config.get("SESSION_COOKIE_SECURE") and app.config.get("REMEMBER_COOKIE_SECURE")):
        return Finding(ERROR, name, "session cookies are sent over plain HTTP: remove SESSION_COOKIE_SECURE=0 (and FLASK_DEBUG) from the environment.")
    if not app.config.get("TRUST_PROXY_HEADERS"):
        return Finding(WARNING, name, "secure, but TRUST_PROXY_HEADERS is off: behind Caddy set TRUST_PROXY_HEADERS=1, "
                                      "or the shop cannot tell that visitors use HTTPS.")
    return Finding(OK, name, "secure, behind an HTTPS proxy (TRUST_PROXY_HEADERS=1).")


def check_public_url(app: Flask) -> Finding:
    url = app.config.get("PUBLIC_URL") or ""
    if not url.startswith("https://"):
        return Finding(ERROR, "public URL", f"PUBLIC_URL is {url!r}: set it to the shop's https:// address (links in emails use it).")
    return Finding(OK, "public URL", f"{url}.")


def check_promptpay(app: Flask) -> Finding:

    name = "PromptPay"
    promptpay_id = app.config.get("PROMPTPAY_ID") or ""
    holder = app.config.get("PROMPTPAY_NAME") or ""
    if not promptpay_id:
        return Finding(OK, name, "PromptPay transfers are off (PROMPTPAY_ID is empty).")
    if promptpay_id == DEMO_PROMPTPAY_ID:
        return Finding(ERROR, name, "PROMPTPAY_ID is the demo number: set the association's own PromptPay ID, or leave it empty to turn transfers off.")
    try:
        build_payload(promptpay_id, 100)
    except ValueError:
        return Finding(ERROR, name, "PROMPTPAY_ID is not a 10-digit mobile number or a 13-digit ID.")
    if not holder or holder == DEMO_PROMPTPAY_NAME:
        return Finding(ERROR, name, "PROMPTPAY_NAME is the demo name: set the account holder's name as the bank shows it.")
    return Finding(OK, name, f"ID ending {promptpay_id[-4:]}, account name {holder!r}.")


def check_migrations(app: Flask) -> Finding:


    name = "database schema"
    script = ScriptDirectory(app.extensions["migrate"].directory)
    heads = set(script.get_heads())
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as error:  # noqa: BLE001
        return Finding(ERROR, name, f"cannot reach the database ({type(error).__name__}): check DATABASE_URL and that the server runs.")
    if current != heads:
        shown = ", ".join(sorted(current)) or "empty"
        return Finding(ERROR, name, f"at {shown}, not at {', '.join(sorted(heads))}: run `flask --app run.py db upgrade`.")
    return Finding(OK, name, f"migrations at head ({', '.join(sorted(heads))}).")


def check_translations(app: Flask) -> Finding:  # noqa: ARG001

    problems = catalogue_problems()
    if problems:
        return Finding(ERROR, "translations", "; ".join(problems) + f": run `{COMPILE_COMMAND}`.")
    return Finding(OK, "translations", "compiled and current.")


def check_media_folder(app: Flask) -> Finding:
    folder = Path(app.config["MEDIA_FOLDER"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        return Finding(ERROR, "media folder", f"{folder} is not writable ({error.strerror}): give the shop's user write access to it.")
    return Finding(OK, "media folder", f"{folder} is writable.")


def check_redis(app: Flask) -> Finding:

    name = "Redis"
    url = app.config.get("REDIS_URL")
    workers = int(app.config.get("WEB_CONCURRENCY") or 1)
    if not url:
        if workers > 1:
            return Finding(WARNING, name, f"{workers} workers without REDIS_URL: each keeps its own cache and sign-in limits. "
                                          "Install redis-server and set REDIS_URL=redis://127.0.0.1:6379/0.")
        return Finding(OK, name, "not needed with one worker.")
    try:
        ping(url, 2.0)
    except Exception as error:  # noqa: BLE001
        return Finding(ERROR, name, f"REDIS_URL does not answer ({type(error).__name__}): start redis-server or fix REDIS_URL.")
    return Finding(OK, name, f"reachable, shared by {workers} workers.")


def check_mail(app: Flask) -> Finding:
    if not app.config.get("MAIL_SERVER"):
        return Finding(WARNING, "email", "MAIL_SERVER is not set: order emails are only written to the log.")
    sender = app.config.get("MAIL_SENDER") or ""
    if "relearn.example" in sender:
        return Finding(WARNING, "email", "MAIL_SENDER is the example address: set the association's own.")
    return Finding(OK, "email", f"sent through {app.config['MAIL_SERVER']}:{app.config.get('MAIL_PORT')}.")


def check_stripe(app: Flask) -> Finding:
    name = "Stripe"
    secret = app.config.get("STRIPE_SECRET_KEY") or ""
    webhook = app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    publishable = app.config.get("STRIPE_PUBLISHABLE_KEY") or ""
    if not (secret or webhook or publishable):
        return Finding(OK, name, "off (no keys set).")
    if not (secret and webhook):
        missing = "STRIPE_SECRET_KEY" if not secret else "STRIPE_WEBHOOK_SECRET"
        return Finding(ERROR, name, f"{missing} is missing: Stripe keys work in pairs (the secret key and the webhook secret).")
    if not secret.startswith(("sk_", "rk_")) or not webhook.startswith("whsec_"):
        return Finding(ERROR, name, "the keys look swapped or mistyped: STRIPE_SECRET_KEY starts sk_ (or rk_), STRIPE_WEBHOOK_SECRET whsec_.")
    modes = {"live" if "_live_" in key else "test" for key in (secret, publishable) if key}
    if len(modes) > 1:
        return Finding(ERROR, name, "one key is a test key and the other a live key: use both from the same mode.")
    mode = modes.pop()
    if mode == "test":
        return Finding(WARNING, name, "test keys: no real money moves. Use live keys for the real shop.")
    return Finding(OK, name, "live keys, in pairs.")


def check_clock(app: Flask) -> Finding:

    name = "clock"
    if db.engine.dialect.name != "postgresql":
        return Finding(OK, name, "SQLite uses this machine's own clock.")
    try:
        with db.engine.connect() as conn:
            database_now = conn.scalar(text("SELECT clock_timestamp()"))
    except Exception as error:  # noqa: BLE001
        return Finding(ERROR, name, f"cannot ask the database for its time ({type(error).__name__}).")
    skew = abs((datetime.now(UTC) - database_now).total_seconds())
    if skew > MAX_CLOCK_SKEW_SECONDS:
        return Finding(ERROR, name, f"this machine and the database differ by {skew:.0f} s: turn on time sync (systemd-timesyncd or chrony) on both.")
    return Finding(OK, name, f"within {skew:.1f} s of the database's.")


def check_database_kind(app: Flask) -> Finding:

    if db.engine.dialect.name != "postgresql":
        return Finding(WARNING, "database", "SQLite is for trying the shop: use PostgreSQL for a real one (backups need it).")
    return Finding(OK, "database", "PostgreSQL.")


CHECKS: list[Callable[[Flask], Finding]] = [
    check_secret_key,
    check_cookies,
    check_public_url,
    check_promptpay,
    check_database_kind,
    check_migrations,
    check_translations,
    check_media_folder,
    check_redis,
    check_mail,
    check_stripe,
    check_clock,
]


def run_checks(app: Flask) -> list[Finding]:
    findings = []
    for check in CHECKS:
        try:
            findings.append(check(app))
        except Exception as error:  # noqa: BLE001 - a broken check is itself worth a line
            findings.append(Finding(ERROR, check.__name__.removeprefix("check_"), f"could not check ({type(error).__name__}: {error})."))
    return findings



