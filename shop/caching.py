"""Cached catalogue pages and fragments, keyed by the catalogue's version: never stale.

The version row moves in the same transaction as any catalogue or stock change (see
models.catalog), so a request that starts after a commit reads the new version and misses
the cache. One query per request reads the version together with the soonest stock hold
to expire, so lazy expiry costs nothing extra.

Whole pages are cached only for anonymous visitors with nothing personal in their session;
the visitor's own CSRF token is put into the cached HTML on the way out. Fragments (the
page body without header) serve signed-in visitors.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import psycopg
from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from shop.extensions import cache, db
from shop.models.catalog import CatalogVersion
from shop.services.ordering import lifecycle
from shop.services.thai import as_utc

FRAGMENT_TIMEOUT = 3600
# Workshop sessions stop being bookable when they start, which moves no version: pages are
# also keyed by this ten-minute slot, so a started session leaves the page within ten minutes
# (the cart and checkout refuse it at once whatever the page shows).
TIME_SLOT_SECONDS = 600
MISSING = "<missing>"  # cached stand-in for None (a page that does not exist)
CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
PAGE_ENDPOINTS = frozenset({"storefront.home", "storefront.catalogue", "storefront.centre", "storefront.product",
                            "storefront.programme", "storefront.maker"})
T = TypeVar("T")

# The catalogue's version and, in the same round trip, when the first stock hold runs out
# (the rule for that is the lifecycle's: lifecycle.soonest_hold).
_STATE = select(CatalogVersion.version, lifecycle.soonest_hold()).where(CatalogVersion.id == 1)
_STATE_PG_SQL = str(_STATE.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _moment(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns the subquery's value as text
        value = datetime.fromisoformat(value)
    return as_utc(value)


def catalog_version() -> int | None:
    """The version for this request, read once; first expiring any stock hold that ran out."""
    if "catalog_version" in g:
        return g.catalog_version
    version, soonest = _read_state()
    if soonest is not None and soonest < datetime.now(UTC):
        if lifecycle.expire_overdue_orders():
            version, _ = _read_state()
    g.catalog_version = version
    return version


def _read_state() -> tuple[int | None, datetime | None]:
    if db.engine.dialect.name == "postgresql":
        row = _pg_state(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))
    else:
        # One statement outside any transaction: no BEGIN/COMMIT round trips on the hot path.
        with db.engine.connect() as conn:
            row = conn.execution_options(isolation_level="AUTOCOMMIT").execute(_STATE).first()
    return (row[0], _moment(row[1])) if row else (None, None)


_local = threading.local()


def _pg_state(url: str):
    """The state query on this thread's own autocommit connection: one round trip, no pool.

    Each worker thread keeps one small connection for it (made after gunicorn forks, on first
    use); a broken one is replaced once, so a database restart costs nothing visible.
    """
    connections = _local.__dict__.setdefault("connections", {})
    for attempt in (1, 2):
        conn = connections.get(url)
        if conn is None or conn.closed:
            conn = connections[url] = psycopg.connect(url, autocommit=True, connect_timeout=5)
        try:
            return conn.execute(_STATE_PG_SQL).fetchone()
        except psycopg.OperationalError:
            connections.pop(url, None)
            if attempt == 2:
                raise
    return None


def cached_fragment(name: str, parts: tuple[object, ...], render: Callable[[], T]) -> T:
    """What `render()` makes (HTML, or None), from the cache when the catalogue is unchanged."""
    version = catalog_version()
    if version is None or not current_app.config.get("FRAGMENT_CACHE", True):
        return render()
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    key = f"frag:{name}:{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, MISSING if value is None else value, timeout=FRAGMENT_TIMEOUT)
    return None if value == MISSING else value  # type: ignore[return-value]


def time_slot() -> int:
    """The current ten-minute slot: part of the key of pages that show workshop sessions."""
    return int(datetime.now(UTC).timestamp()) // TIME_SLOT_SECONDS


def _page_key(version: int, lang: str) -> str | None:
    if request.method != "GET" or request.endpoint not in PAGE_ENDPOINTS:
        return None
    if not current_app.config.get("FRAGMENT_CACHE", True):
        return None
    if "_user_id" in session or "_flashes" in session:
        return None
    digest = hashlib.sha1(request.full_path.encode()).hexdigest()
    return f"page:{version}:{time_slot()}:{lang}:{digest}"


def serve_cached_page(lang: str):
    """Before a storefront view: the whole page from the cache, or None (and remember the key)."""
    version = catalog_version()
    if version is None:
        return None
    key = _page_key(version, lang)
    if key is None:
        return None
    html = cache.get(key)
    if html is None:
        g.page_cache_key = key
        return None
    response = current_app.response_class(html, mimetype="text/html")
    return personalise(response)


def store_and_personalise(response):
    """After a storefront view: keep a cacheable page for the next visitor, then personalise it."""
    key = g.pop("page_cache_key", None)
    if key and response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough:
        cache.set(key, response.get_data(), timeout=FRAGMENT_TIMEOUT)  # bytes, served as they are
    return personalise(response)


_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


def no_store(response):
    """A private page (orders, accounts, back office): never kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def personalise(response):
    if response.mimetype == "text/html" and not response.direct_passthrough and not getattr(response, "personalised", False):
        body = response.get_data()
        if _PLACEHOLDER_BYTES in body:
            response.set_data(body.replace(_PLACEHOLDER_BYTES, generate_csrf().encode()))
        response.personalised = True
    return response
