"""Failed sign-ins lock the account in the database: the lock holds across app servers, backs
off up to an hour, and looks no different from a wrong password or an unknown email."""
import logging
import re
import threading
from datetime import UTC, timedelta

import pytest
from werkzeug.security import generate_password_hash

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db
from shop.models import User
from shop.models._base import utcnow
from shop.services.people import accounts
from tests.conftest import IsolatedClient
from tests.web.helpers import post_form

PASSWORD = "a long enough password"
WRONG = "not the password at all"


def make_user(email="nid@example.com"):
    # a cheap hash: these tests check passwords dozens of times, and the lock is the point here
    user = User(email=email, name="Nid", password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"))
    db.session.add(user)
    db.session.commit()
    return user


def server(backend, tmp_path, name):
    """Another app server (a gunicorn worker) on the same database.

    Its rate limiter stays on (turning it off would stick to the shared Limiter object for the
    rest of the run), but it never answers here: it would say 429, and the lock says 400.
    """
    app = create_app(TestConfig(backend, str(tmp_path / name)))
    app.test_client_class = IsolatedClient
    return app


def as_utc(moment):
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC


def sign_in(client, password, email="nid@example.com"):
    return post_form(client, "/account/sign-in", {"email": email, "password": password})


def refusal(response) -> list[str]:
    return re.findall(r'<span class="error"[^>]*>([^<]*)</span>', response.get_data(as_text=True))


@pytest.fixture
def clock(monkeypatch):
    """The accounts service's clock, to move on by hand."""
    now = [utcnow()]
    monkeypatch.setattr(accounts, "utcnow", lambda: now[0])

    def move(**delta):
        now[0] += timedelta(**delta)

    move.now = lambda: now[0]
    return move


def test_wrong_passwords_through_two_app_servers_lock_the_account(app, backend, tmp_path, clock):
    user_id = make_user().id
    first, second = server(backend, tmp_path, "a"), server(backend, tmp_path, "b")
    browsers = [first.test_client(), second.test_client()]
    try:
        for attempt in range(accounts.LOCK_AFTER_FAILURES):
            assert sign_in(browsers[attempt % 2], WRONG).status_code == 400

        # locked: even the right password is refused, through either server
        for browser in browsers:
            assert sign_in(browser, PASSWORD).status_code == 400
        db.session.rollback()
        user = db.session.get(User, user_id)
        assert user.failed_sign_ins == accounts.LOCK_AFTER_FAILURES

        clock(seconds=61)
        assert sign_in(browsers[0], PASSWORD).status_code == 303
        db.session.rollback()
        user = db.session.get(User, user_id)
        assert (user.failed_sign_ins, user.locked_until) == (0, None)
    finally:
        for shop in (first, second):
            with shop.app_context():
                db.engine.dispose()


def test_the_lock_doubles_with_each_further_failure_up_to_an_hour(app, clock):
    user_id = make_user().id
    locks = []
    for _ in range(accounts.LOCK_AFTER_FAILURES - 1):
        assert accounts.authenticate("nid@example.com", WRONG) is None
    for _ in range(8):
        assert accounts.authenticate("nid@example.com", WRONG) is None
        db.session.rollback()
        lock = as_utc(db.session.get(User, user_id).locked_until) - clock.now()
        locks.append(round(lock.total_seconds() / 60))
        # while locked, tries are refused without counting, the right password too
        assert accounts.authenticate("nid@example.com", WRONG) is None
        assert accounts.authenticate("nid@example.com", PASSWORD) is None
        clock(minutes=locks[-1], seconds=1)
    assert locks == [1, 2, 4, 8, 16, 32, 60, 60]
    assert accounts.authenticate("nid@example.com", PASSWORD).id == user_id


def test_a_correct_sign_in_starts_the_count_again(app, clock):
    make_user()
    for _ in range(accounts.LOCK_AFTER_FAILURES - 1):
        accounts.authenticate("nid@example.com", WRONG)
    assert accounts.authenticate("nid@example.com", PASSWORD) is not None
    for _ in range(accounts.LOCK_AFTER_FAILURES - 1):
        accounts.authenticate("nid@example.com", WRONG)
    assert accounts.authenticate("nid@example.com", PASSWORD) is not None


def test_a_locked_account_answers_like_a_wrong_password_and_an_unknown_email(app, client, clock):
    make_user()
    client.get("/language/en")
    first_wrong = sign_in(client, WRONG)
    for _ in range(accounts.LOCK_AFTER_FAILURES - 1):
        sign_in(client, WRONG)
    locked = sign_in(client, PASSWORD)
    unknown = sign_in(client, PASSWORD, email="nobody@example.com")
    assert first_wrong.status_code == locked.status_code == unknown.status_code == 400
    assert refusal(first_wrong) == refusal(locked) == refusal(unknown)
    message = " ".join(refusal(locked))
    assert "too many" in message and "reset" in message  # says what to do when locked
    client.get("/language/th")
    assert "ลอง" in " ".join(refusal(sign_in(client, PASSWORD)))


def test_failed_sign_ins_at_the_same_moment_are_all_counted_and_lock_once(app):
    user_id = make_user().id
    tries = 8
    barrier = threading.Barrier(tries)
    errors: list[BaseException] = []

    def attacker() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                assert accounts.authenticate("nid@example.com", WRONG) is None
            except BaseException as exc:  # noqa: BLE001 - any error fails the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attacker) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    db.session.rollback()
    user = db.session.get(User, user_id)
    # the fifth failure locked the account; the ones that came after it counted for nothing
    assert user.failed_sign_ins == accounts.LOCK_AFTER_FAILURES
    assert user.locked_until is not None


def quiet_config(tmp_path, **settings):
    config = TestConfig(f"sqlite:///{tmp_path / 'unused.sqlite3'}", str(tmp_path))
    config.TESTING = False
    for name, value in settings.items():
        setattr(config, name, value)
    return config


def test_a_server_counting_rate_limits_in_its_own_memory_warns_at_start_up(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        create_app(quiet_config(tmp_path))
    assert any("REDIS_URL" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("settings", [
    {"TESTING": True},
    {"DEBUG": True},
    {"STARTED_BY_FLASK_COMMAND": True},  # `flask run` (one process) and the CLI commands
    {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"},
])
def test_no_warning_where_in_memory_limits_are_fine_or_not_used(tmp_path, caplog, settings):
    with caplog.at_level(logging.WARNING):
        create_app(quiet_config(tmp_path, **settings))
    assert not any("REDIS_URL" in record.getMessage() for record in caplog.records)
