"""Association admins manage staff accounts: centre staff and other admins, with first passwords."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import begin_write, db
from shop.models import Centre, User
from shop.services.errors import DomainError
from shop.services.people import audit
from shop.services.people.accounts import EmailTaken, normalise_email


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise DomainError()


def staff_accounts() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(["staff", "admin"])).order_by(User.role, User.email)))


def create_staff(actor: User, email: str, name: str, role: str, centre_id: int | None) -> tuple[User, str]:
    """A new staff member or admin with a random first password, returned once to pass on."""
    _require_admin(actor)
    if role not in {"staff", "admin"} or (role == "staff" and not db.session.get(Centre, centre_id or 0)):
        raise DomainError()
    password = secrets.token_urlsafe(12)
    begin_write()
    user = User(email=normalise_email(email), name=name.strip(), role=role,
                centre_id=centre_id if role == "staff" else None)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken() from None
    audit.record(actor, "staff.create", user, centre_id=user.centre_id, after={"email": user.email, "role": role})
    db.session.commit()
    return user, password


def set_enabled(actor: User, user_id: int, enabled: bool) -> User:
    _require_admin(actor)
    begin_write()
    user = db.session.get(User, user_id)
    if user is None or user.id == actor.id:
        raise DomainError()
    user.is_enabled = enabled
    if not enabled:
        user.end_sessions()  # signed out at once, and still so if the account is enabled again
    audit.record(actor, "staff.enable" if enabled else "staff.disable", user, centre_id=user.centre_id)
    db.session.commit()
    return user


def reset_password(actor: User, user_id: int) -> tuple[User, str]:
    _require_admin(actor)
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError()
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.end_sessions()
    audit.record(actor, "staff.reset_password", user, centre_id=user.centre_id)
    db.session.commit()
    return user, password
