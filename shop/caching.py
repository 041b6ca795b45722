"""Cached catalogue fragments, keyed by the catalogue's version so they are never stale.

The version row moves in the same transaction as any catalogue change (see
models.catalog), so a request that starts after a commit reads the new version and
misses the cache. Cached HTML never holds anything personal (no CSRF token, no cart).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import select

from shop.extensions import cache, db
from shop.models import CatalogVersion

FRAGMENT_TIMEOUT = 3600
MISSING = "<missing>"  # cached stand-in for None (a page that does not exist)
T = TypeVar("T")


def catalog_version() -> int | None:
    return db.session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1))


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
