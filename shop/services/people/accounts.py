"""Accounts: registration, sign-in checks with lock-outs, sessions and password-reset tokens."""
from __future__ import annotations

import hashlib
import itertools
import re
from datetime import datetime, timedelta
from typing import Any, cast

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, CursorResult, DateTime, case, func, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, User
from shop.models._base import utcnow
from shop.services.errors import DomainError

RESET_MAX_AGE = 3600  # a reset link works for an hour, and only until the password changes

# After this many failed sign-ins in a row an account is locked: a minute at first, doubling
# with each further failure, never more than an hour. A correct sign-in starts the count again.
LOCK_AFTER_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)

_SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")  # ASCII digits only: "²".isdigit() is true


class EmailTaken(DomainError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(email: str, password: str, name: str, lang: str, role: str = "customer", centre_id=None) -> User:
    begin_write()
    user = User(email=normalise_email(email), name=name.strip(), lang=lang, role=role, centre_id=centre_id)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken() from None
    return user


# A fixed hash to check against when the email is unknown, so timing does not tell.
_DUMMY = User(email="", password_hash="scrypt:32768:8:1$dummysalt$" + "0" * 128)


def lock_time(failures: int) -> timedelta:
    """How long an account stays locked after this many failed sign-ins in a row (zero: not)."""
    if failures < LOCK_AFTER_FAILURES:
        return timedelta(0)
    doublings = min(failures - LOCK_AFTER_FAILURES, 12)  # 2**12 minutes is well past the cap
    return min(FIRST_LOCK * 2**doublings, LONGEST_LOCK)


def _lock_end(failures: ColumnElement[int], now: datetime) -> ColumnElement[Any]:
    """SQL for when the lock that `failures` failed sign-ins earn ends: NULL below the threshold.

    A CASE over the few counts before the cap, so that the one UPDATE which counts a failure
    also sets its lock, atomically, on SQLite and PostgreSQL alike.
    """
    def ends(n: int) -> ColumnElement[Any]:
        return literal(now + lock_time(n), DateTime(timezone=True))

    steps = itertools.takewhile(lambda n: lock_time(n) < LONGEST_LOCK, itertools.count(LOCK_AFTER_FAILURES))
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [(failures < LOCK_AFTER_FAILURES, null())]
    whens += [(failures == n, ends(n)) for n in steps]
    return case(*whens, else_=literal(now + LONGEST_LOCK, DateTime(timezone=True)))


def authenticate(email: str, password: str) -> User | None:
    """The account for this email and password, or None: wrong, unknown, disabled or locked.

    The answer looks the same in every case (and the password is checked in every case), so it
    does not tell who has an account. Failures are counted in the database by guarded updates:
    the lock-out holds across every app server, and no two failures overwrite each other's count.
    """
    user = find_user(email)
    if user is None:
        _DUMMY.check_password(password)
        return None
    correct = user.check_password(password) and user.is_enabled
    user_id = user.id
    begin_write()
    now = utcnow()
    # Only an account that is not locked now may sign in or count a failure; while it is locked
    # every try is refused, and not counted (so the lock does not grow by itself).
    not_locked = (User.id == user_id) & or_(User.locked_until.is_(None), User.locked_until <= now)
    if correct:
        values: dict[str, Any] = {"failed_sign_ins": 0, "locked_until": None}
    else:
        values = {"failed_sign_ins": User.failed_sign_ins + 1, "locked_until": _lock_end(User.failed_sign_ins + 1, now)}
    result = db.session.execute(
        update(User).where(not_locked).values(values).execution_options(synchronize_session=False)
    )
    db.session.commit()
    if not correct or cast(CursorResult, result).rowcount != 1:
        return None
    return db.session.get(User, user_id)


def user_for_session(session_user_id: str) -> User | None:
    """The signed-in person for a session's "id:generation", if that session has not been ended."""
    match = _SESSION_ID.fullmatch(session_user_id or "")
    if match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or not user.is_enabled or user.session_generation != int(match.group(2)):
        return None
    return user


def end_sessions(user_id: int) -> None:
    """Sign this person out everywhere: every session cookie they hold stops working."""
    begin_write()
    db.session.execute(
        update(User).where(User.id == user_id).values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"u": user.id, "p": _fingerprint(user)})


def user_for_reset_token(token: str, secret_key: str) -> User | None:
    """The user a reset link is for, if it is genuine, fresh and not used yet."""
    try:
        data = _serializer(secret_key).loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or _fingerprint(user) != data.get("p"):
        return None
    return user


def set_password(user: User, password: str) -> None:
    begin_write()
    user = db.session.merge(user)
    user.set_password(password)
    user.end_sessions()  # whoever had the old password is signed out everywhere
    db.session.commit()


def orders_of(user_id: int) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.created_at.desc())))
