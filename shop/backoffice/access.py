"""Who may enter the back office, in one place.

Every back-office page needs a signed-in staff member or admin with a fresh session (the
blueprint's before_request). Pages for association admins only carry `@admin_required`.
Staff are also held to their own centre in every service query (services/people/scope.py),
so another centre's IDs find nothing (404) even where a view forgot to check.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from shop.backoffice import bp

View = TypeVar("View", bound=Callable[..., Any])


@bp.before_request
def require_staff():
    if not current_user.is_authenticated:
        return redirect(url_for("account.sign_in", next=request.full_path))
    if not current_user.is_staff:
        abort(403)
    signed_in = session.get("signed_in_at")
    limit = timedelta(hours=current_app.config["STAFF_SESSION_HOURS"])
    if not signed_in or datetime.now(UTC) - datetime.fromisoformat(signed_in) > limit:
        logout_user()
        session.clear()
        flash(_("Your back-office session has ended. Please sign in again."), "error")
        return redirect(url_for("account.sign_in", next=request.full_path))
    return None


def admin_required(view: View) -> View:
    """Association admins only: anyone else gets 403 before the view runs. Also wraps a
    plain action (a callable the view dispatches to) that only admins may take."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    guarded.admin_only = True  # type: ignore[attr-defined]  # read by tests that walk the URL map
    return guarded  # type: ignore[return-value]
