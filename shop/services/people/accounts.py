"""Accounts: registration, sign-in checks and password-reset tokens."""
from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Order, User
from shop.services.errors import DomainError

RESET_MAX_AGE = 3600  # a reset link works for an hour, and only until the password changes


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


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None:
        _DUMMY.check_password(password)
        return None
    if not user.check_password(password) or not user.is_enabled:
        return None
    return user


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
    db.session.commit()


def orders_of(user_id: int) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.created_at.desc())))
