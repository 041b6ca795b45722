"""API tokens: admins make them for the read-only JSON API; only a hash is kept."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from shop.extensions import begin_write, db
from shop.models import ApiToken, User
from shop.services.errors import NotYourCentre
from shop.services.people import audit


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor: User, name: str) -> str:
    """A new token for an admin, shown once; the audit log names it."""
    if not actor.is_admin:
        raise NotYourCentre()
    token = "rl_" + secrets.token_urlsafe(32)
    begin_write()
    db.session.add(ApiToken(user_id=actor.id, name=name[:100] or "token", token_hash=_digest(token)))
    audit.record(actor, "api.token", None, after={"name": name[:100]})
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The enabled admin a token belongs to, or None for an unknown, revoked or odd token."""
    if not token or len(token) > 200:
        return None
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)))
    if found is None or not found.user.is_enabled or not found.user.is_admin:
        return None
    return found.user
