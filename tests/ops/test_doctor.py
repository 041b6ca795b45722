"""`flask doctor`: each check passes on a production-like shop and fails (saying what to fix) otherwise."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
import redis

from shop import create_app
from shop.config import DEMO_PROMPTPAY_ID, DEMO_PROMPTPAY_NAME, TestConfig
from shop.ops import catalogues, doctor
from shop.ops.doctor import ERROR, OK, WARNING
from tests.conftest import IN_CI

PRODUCTION = {
    "SECRET_KEY": "k3J9x-QmV2pL8sT0wZ4yR6uN1bH5cF7dG-aE",
    "SECRET_KEY_FROM_ENVIRONMENT": True,
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "TRUST_PROXY_HEADERS": True,
    "PUBLIC_URL": "https://shop.example.org",
    "PROMPTPAY_ID": "0812345678",
    "PROMPTPAY_NAME": "สมาคมห้องสมุดแห่งประเทศไทยฯ",
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_SENDER": "Relearn Shop <shop@tla.example.org>",
    "WEB_CONCURRENCY": 1,
    "REDIS_URL": "",
}


@pytest.fixture
def shop(backend, tmp_path):
    """A production-like shop on the test database; tests change one setting at a time."""
    config = TestConfig(backend, str(tmp_path))
    for name, value in PRODUCTION.items():
        setattr(config, name, value)
    app = create_app(config)
    with app.app_context():
        yield app


def check(app, function, **settings):
    app.config.update(settings)
    return function(app)


def test_a_production_like_shop_passes_every_check_and_exits_zero(shop):
    findings = doctor.run_checks(shop)
    assert {f.name: f.level for f in findings if f.level != OK} == (
        {"database": WARNING} if shop.extensions["sqlalchemy"].engines[None].dialect.name == "sqlite" else {}
    )
    result = shop.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == len(doctor.CHECKS) + 1
    assert "No errors" in result.output


def test_the_demo_settings_fail_with_what_to_fix_and_exit_non_zero(backend, tmp_path):
    app = create_app(TestConfig(backend, str(tmp_path)))
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "ERROR    public URL: PUBLIC_URL is 'http://127.0.0.1:5000'" in result.output
    assert "ERROR    PromptPay: PROMPTPAY_ID is the demo number" in result.output
    assert "ERROR    cookies:" in result.output
    assert "error(s)" in result.output.splitlines()[-1]


@pytest.mark.parametrize("key", ["", "change-me", "short-key", "a" * 40, "please-change-this-to-a-long-random-value"])
def test_a_missing_or_weak_secret_key_is_an_error(shop, key):
    assert check(shop, doctor.check_secret_key, SECRET_KEY=key).level == ERROR


def test_a_strong_secret_key_passes_even_when_generated_into_the_instance_folder(shop):
    assert check(shop, doctor.check_secret_key).level == OK
    finding = check(shop, doctor.check_secret_key, SECRET_KEY_FROM_ENVIRONMENT=False)
    assert finding.level == OK and "instance/secret_key" in finding.message


def test_cookies_must_be_secure_and_the_proxy_trusted(shop):
    assert check(shop, doctor.check_cookies).level == OK
    assert check(shop, doctor.check_cookies, TRUST_PROXY_HEADERS=False).level == WARNING
    assert check(shop, doctor.check_cookies, SESSION_COOKIE_SECURE=False).level == ERROR


def test_the_public_url_must_be_https(shop):
    assert check(shop, doctor.check_public_url).level == OK
    assert check(shop, doctor.check_public_url, PUBLIC_URL="http://shop.example.org").level == ERROR


def test_promptpay_must_not_be_the_demo_account(shop):
    assert check(shop, doctor.check_promptpay).level == OK
    assert check(shop, doctor.check_promptpay, PROMPTPAY_ID=DEMO_PROMPTPAY_ID).level == ERROR
    shop.config["PROMPTPAY_ID"] = "0812345678"
    assert check(shop, doctor.check_promptpay, PROMPTPAY_NAME=DEMO_PROMPTPAY_NAME).level == ERROR
    assert check(shop, doctor.check_promptpay, PROMPTPAY_NAME="x", PROMPTPAY_ID="12345").level == ERROR
    off = check(shop, doctor.check_promptpay, PROMPTPAY_ID="")
    assert off.level == OK and "off" in off.message


def test_migrations_must_be_at_head(shop, tmp_path):
    assert check(shop, doctor.check_migrations).level == OK
    empty = TestConfig(f"sqlite:///{tmp_path / 'empty.sqlite3'}", str(tmp_path / "empty"))
    app = create_app(empty)
    with app.app_context():
        finding = doctor.check_migrations(app)
    assert finding.level == ERROR and "db upgrade" in finding.message


def test_translations_must_be_compiled(shop, tmp_path, monkeypatch):
    assert check(shop, doctor.check_translations).level == OK
    folder = tmp_path / "translations"
    shutil.copytree(catalogues.TRANSLATIONS, folder)
    (folder / "th" / "LC_MESSAGES" / "messages.mo").unlink()
    monkeypatch.setattr(catalogues, "TRANSLATIONS", folder)
    finding = check(shop, doctor.check_translations)
    assert finding.level == ERROR and "pybabel compile" in finding.message


def test_the_media_folder_must_be_writable(shop, tmp_path):
    assert check(shop, doctor.check_media_folder).level == OK
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert check(shop, doctor.check_media_folder, MEDIA_FOLDER=str(blocker / "media")).level == ERROR


def test_redis_is_needed_by_several_workers_and_must_answer(shop):
    assert check(shop, doctor.check_redis).level == OK
    assert check(shop, doctor.check_redis, WEB_CONCURRENCY=4).level == WARNING
    assert check(shop, doctor.check_redis, REDIS_URL="redis://127.0.0.1:1/0").level == ERROR


def test_a_reachable_redis_passes(shop):
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {url} is unreachable: {exc}", pytrace=False)
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    assert check(shop, doctor.check_redis, REDIS_URL=url, WEB_CONCURRENCY=4).level == OK


def test_without_smtp_there_is_a_warning(shop):
    assert check(shop, doctor.check_mail).level == OK
    assert check(shop, doctor.check_mail, MAIL_SERVER="").level == WARNING


@pytest.mark.parametrize(
    ("secret", "webhook", "publishable", "level"),
    [
        ("", "", "", OK),
        ("sk_live_abc", "whsec_abc", "pk_live_abc", OK),
        ("sk_test_abc", "whsec_abc", "", WARNING),
        ("sk_live_abc", "", "", ERROR),
        ("", "whsec_abc", "", ERROR),
        ("whsec_abc", "sk_live_abc", "", ERROR),
        ("sk_live_abc", "whsec_abc", "pk_test_abc", ERROR),
    ],
)
def test_stripe_keys_come_in_pairs(shop, secret, webhook, publishable, level):
    settings = {"STRIPE_SECRET_KEY": secret, "STRIPE_WEBHOOK_SECRET": webhook, "STRIPE_PUBLISHABLE_KEY": publishable}
    assert check(shop, doctor.check_stripe, **settings).level == level


def test_the_clock_must_agree_with_the_databases(shop, monkeypatch):
    assert check(shop, doctor.check_clock).level == OK
    if shop.extensions["sqlalchemy"].engines[None].dialect.name != "postgresql":
        return  # SQLite has no clock of its own

    class FastClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz or UTC) + timedelta(minutes=3)

    monkeypatch.setattr(doctor, "datetime", FastClock)
    finding = check(shop, doctor.check_clock)
    assert finding.level == ERROR and "time sync" in finding.message


def test_a_check_that_breaks_is_reported_as_an_error_not_a_crash(shop, monkeypatch):
    def broken(app):
        raise RuntimeError("surprise")

    broken.__name__ = "check_broken"
    monkeypatch.setattr(doctor, "CHECKS", [broken])
    [finding] = doctor.run_checks(shop)
    assert finding.level == ERROR and finding.name == "broken" and "surprise" in finding.message
