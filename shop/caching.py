"""Cached catalogue pages and fragments, keyed by versions as narrow as the change: never stale.

Versions (shop/models/catalog.py) move in the same transaction as the change they describe:

- a product's page has its own version (its variants, stock, prices, photos), so a change to
  one product drops only that product's page and the lists;
- a centre's page has its own version (a change to any of its products, or to the centre);
- the lists (catalogue, home page, sitemap) share one coarser version that any catalogue or
  stock change moves;
- the site version moves when a centre or a category changes, which every page shows.

A request that starts after a commit reads the new versions and misses the cache. One query per
request reads the versions the page needs, together with the soonest stock hold to expire, so
lazy expiry costs nothing extra.

Whole pages are cached only for anonymous visitors with nothing personal in their session;
the visitor's own CSRF token is put into the cached HTML on the way out. A cached page is kept
with its compressed forms, each made once, when a client first asks (shop/compression.py stitches the token
into the gzip form). Each cacheable page sends an ETag made of its versions and answers
If-None-Match with 304 without rendering. Fragments (the page body without header) serve
signed-in visitors.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import DateTime, String, bindparam, cast, func, literal_column, select

from shop import compression, prepared
from shop.extensions import cache, db, read_outside_a_transaction
from shop.models.catalog import IMPACT, LISTS, SITE, CatalogVersion, Centre, PageVersion, Product, Variant
from shop.models.workshops import WorkshopSession
from shop.services.ordering import cart as carts
from shop.services.ordering import lifecycle
from shop.worker_cache import WorkerCache

FRAGMENT_TIMEOUT = 3600
MISSING = "<missing>"  # cached stand-in for None (a page that does not exist)
CSRF_PLACEHOLDER = compression.CSRF_PLACEHOLDER
CART_COUNT_PLACEHOLDER = "__cart_count_placeholder__"  # the header's cart count, filled per visitor
PAGE_ENDPOINTS = frozenset({"storefront.home", "storefront.catalogue", "storefront.centre", "storefront.product",
                            "storefront.programme", "storefront.maker"})
# Pages that show the programme's figures (people trained, income): keyed by their version too.
FIGURE_ENDPOINTS = frozenset({"storefront.home", "storefront.programme", "storefront.maker"})
# Pages that carry the visitor's own CSRF token (the add-to-cart form).
TOKEN_ENDPOINTS = frozenset({"storefront.product"})
TOKEN_ETAG_SECONDS = 1800  # a kept copy's token is at most this old when a 304 reuses it (< WTF_CSRF_TIME_LIMIT)
VARY = "Cookie, Accept-Encoding"  # the language is in the URL or the session cookie, never Accept-Language
T = TypeVar("T")


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class State:
    """The versions one request needs, read in one round trip, and the soonest stock hold."""

    lists: int | None
    site: int | None
    soonest_hold: datetime | None = None
    impact: int = 0
    product_id: int | None = None
    product_version: int = 0
    centre_id: int | None = None
    centre_version: int = 0
    next_session: datetime | None = None  # the product's soonest workshop session not yet started

    def tag(self, endpoint: str | None) -> str | None:
        """The version a page of this endpoint is keyed by; None when the state is unknown.

        A workshop session stops being bookable when it starts, which moves no version: a
        product's page is also keyed by its next session's start, so the page that offers a
        session is not served once that session has begun."""
        if self.lists is None or self.site is None:
            return None
        if endpoint == "storefront.product":
            starts = int(self.next_session.timestamp()) if self.next_session else 0
            return f"p{self.site}.{self.product_id}.{self.product_version}.{starts}"
        if endpoint == "storefront.centre":
            return f"c{self.site}.{self.centre_id}.{self.centre_version}"
        if endpoint in FIGURE_ENDPOINTS:
            return f"l{self.lists}.{self.site}.{self.impact}"
        return f"l{self.lists}.{self.site}"


def _state_statement():
    def counter(row: int):
        return select(CatalogVersion.version).where(CatalogVersion.id == row).scalar_subquery()

    product_id = select(Product.id).where(Product.slug == bindparam("product_slug", type_=String)).scalar_subquery()
    centre_id = select(Centre.id).where(Centre.slug == bindparam("centre_slug", type_=String)).scalar_subquery()

    def version(kind: str, ident):
        scope = literal_column(f"'{kind}:'", String) + cast(ident, String)
        return select(PageVersion.version).where(PageVersion.scope == scope).scalar_subquery()

    next_session = (
        select(func.min(WorkshopSession.starts_at))
        .join(Variant, Variant.id == WorkshopSession.variant_id)
        .where(Variant.product_id == product_id, WorkshopSession.starts_at > bindparam("now", type_=DateTime(timezone=True)))
        .scalar_subquery()
    )
    return select(
        counter(LISTS), counter(SITE), lifecycle.soonest_hold(),
        product_id, version("product", product_id), centre_id, version("centre", centre_id), next_session,
        counter(IMPACT),
    )


_STATE = _state_statement()
_STATE_MOMENTS = tuple(isinstance(column.type, DateTime) for column in _STATE.selected_columns)
STATE = prepared.PreparedRead("shop_state", _STATE, [prepared.as_text if moment else int for moment in _STATE_MOMENTS])


def read_state(product_slug: str | None = None, centre_slug: str | None = None) -> State:
    """The versions (and the product's or centre's, by slug) in one statement outside any transaction."""
    params = {"product_slug": product_slug, "centre_slug": centre_slug, "now": now()}
    row = STATE.first(params)
    if not row:
        return State(None, None)
    return State(row[0], row[1], prepared.moment(row[2]), row[8] or 0, row[3], row[4] or 0, row[5], row[6] or 0,
                 prepared.moment(row[7]))


def now() -> datetime:
    """The time the state is read at (tests move it)."""
    return datetime.now(UTC)


def slugs_of(endpoint: str | None, view_args: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    slug = (view_args or {}).get("slug")
    if endpoint == "storefront.product":
        return slug, None
    if endpoint == "storefront.centre":
        return None, slug
    return None, None


def overdue(state: State) -> bool:
    return state.soonest_hold is not None and state.soonest_hold < datetime.now(UTC)


def request_state() -> State:
    """This request's versions, read once (or handed over by the early path); first expiring any
    stock hold that ran out."""
    if "cache_state" in g:
        return g.cache_state
    state = request.environ.get(EARLY_STATE)
    page_slugs = slugs_of(request.endpoint, request.view_args)
    if state is None:
        state = read_state(*page_slugs)
    if overdue(state) and lifecycle.expire_overdue_orders():
        state = read_state(*page_slugs)
    g.cache_state = state
    return state


def catalog_version() -> str | None:
    """The version tag of this request's page."""
    return request_state().tag(request.endpoint)


EARLY_STATE = "shop.cache_state"  # the early path hands its state read to Flask on a miss
EARLY_MISS = "shop.cache_missed"  # and the page key it found nothing under (Flask need not look again)


# --------------------------------------------------------------------------- near cache


def init_near_cache(app) -> None:
    """The most used pages and fragments, kept in this worker in front of a shared cache (Redis):
    a hot page costs no round trip. Page and fragment keys hold the versions they were made for,
    so what is kept under a key never changes and a copy kept here is never stale (nor expires).
    Only in front of a shared cache: the per-worker cache is near already."""
    size = int(app.config.get("NEAR_CACHE_ENTRIES", 200)) if app.config.get("REDIS_URL") else 0
    app.extensions["near_cache"] = WorkerCache(size, default_timeout=0) if size > 0 else None


def kept(key: str) -> Any:
    """What the cache holds under this versioned key (page or fragment), or None."""
    near: WorkerCache | None = current_app.extensions.get("near_cache")
    value = near.get(key) if near is not None else None
    if value is None:
        value = cache.get(key)
        if value is not None and near is not None:
            near.set(key, value)
    return value


def keep(key: str, value: Any) -> None:
    cache.set(key, value, timeout=FRAGMENT_TIMEOUT)
    near: WorkerCache | None = current_app.extensions.get("near_cache")
    if near is not None:
        near.set(key, value)


# --------------------------------------------------------------------------- fragments


def release_tag(folders: list[Path]) -> str:
    """A digest of the templates and translations: cached pages of an older release are never served."""
    digest = hashlib.sha1()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".mo", ".xml", ".txt"}:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _release() -> str:
    return current_app.config.get("CACHE_RELEASE", "")


def cached_fragment(name: str, parts: tuple[object, ...], render: Callable[[], T], orm_reads: bool = True) -> T:
    """What `render()` makes (HTML, or None), from the cache when the page's version is unchanged.

    `orm_reads=False` for a render that reads nothing through the ORM's session (a product page
    has its own prepared read): no pooled connection is set up for it, nor reset after."""
    version = catalog_version()
    if version is None or not current_app.config.get("FRAGMENT_CACHE", True):
        return render()
    if "page_cache_key" in g and not g.get("cart_count"):
        # The whole page is about to be kept for every visitor without a cart or an account: its
        # fragment would be a second copy (a second round trip each way, in Redis) only the others use.
        if orm_reads:
            read_outside_a_transaction()
        return render()
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    key = f"frag:{name}:{_release()}:{version}:{digest}"
    value = kept(key)
    if value is None:
        # Read in autocommit (no BEGIN, no ROLLBACK: two of a cold product page's five round
        # trips). The page is keyed by the versions read before the render, as it was in a
        # transaction: a change committed meanwhile moves them, so this copy is never served after it.
        if orm_reads:
            read_outside_a_transaction()
        value = render()
        keep(key, MISSING if value is None else value)
    return None if value == MISSING else value  # type: ignore[return-value]


PER_SITE_KEPT = 8  # kept answers of per_site (a few names; an older site version's go when it is full)


def per_site(name: str, build: Callable[[], T]) -> T:
    """`build()`'s answer (plain values, never database objects), kept in this worker for as long
    as the site's version (centres and categories) and the release stand. The version is this
    request's, read with its state: a centre changed is seen by the next request to any worker."""
    site = request_state().site
    if site is None:
        return build()
    kept_here: dict[tuple[str, int, str], Any] = current_app.extensions.setdefault("shop_per_site", {})
    key = (name, site, _release())
    value = kept_here.get(key)
    if value is None:
        if len(kept_here) >= PER_SITE_KEPT:
            kept_here.clear()
        value = kept_here[key] = build()
    return value  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- whole pages


def page_key(tag: str, lang: str, environ: dict, cart_count: int = 0) -> str:
    """The cache key of a whole page: its version, language, address (path and query) and the
    header's cart count (0 for nearly every visitor; a visitor with items shares the page with
    everyone who has as many)."""
    address = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
    digest = hashlib.sha1(address.encode("latin-1", "replace")).hexdigest()
    return f"page:{_release()}:{tag}:{lang}:{cart_count}:{digest}"


def token_period() -> int:
    return int(time.time() // TOKEN_ETAG_SECONDS)


def page_etag(key: str, csrf_secret: str | None) -> str:
    """A weak ETag from the page's key; for a page with the visitor's token, also from that token's
    session secret and the half hour, so a 304 never hands back a copy with a stale token."""
    extra = ""
    if csrf_secret is not None:
        extra = f":{csrf_secret}:{token_period()}"
    return 'W/"' + hashlib.sha1((key + extra).encode()).hexdigest()[:24] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip() for t in if_none_match.split(",")}
    return "*" in tags or etag in tags or etag[2:] in tags


def shared_cache_control() -> str:
    return f"public, max-age=0, s-maxage={int(current_app.config.get('PAGE_SHARED_MAX_AGE', 10))}"


def _cacheable_here() -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint not in PAGE_ENDPOINTS:
        return False
    if not current_app.config.get("FRAGMENT_CACHE", True):
        return False
    return "_user_id" not in session and "_flashes" not in session


def serve_cached_page(lang: str):
    """Before a storefront view: 304, the whole page from the cache, or None (and remember the key)."""
    tag = catalog_version()
    if tag is None or not _cacheable_here():
        return None
    g.cart_count = visitor_cart_count()  # no query for a visitor without a cart
    g.page_key = key = page_key(tag, lang, request.environ, g.cart_count)
    if etag_matches(request.headers.get("If-None-Match", ""), _etag(key)):
        return _shared_headers(current_app.response_class(status=304), key)
    # The early path looked this key up a moment ago and found nothing: no second look (in Redis, a round trip).
    entry = None if request.environ.get(EARLY_MISS) == key else kept(key)
    if entry is None:
        g.page_cache_key = key
        return None
    return _answer(entry, key, store=True)


def _etag(key: str) -> str:
    """This page's ETag for this visitor (with the CSRF secret now in their session, if it has a token)."""
    return page_etag(key, session.get("csrf_token", "") if request.endpoint in TOKEN_ENDPOINTS else None)


def _answer(entry: compression.CachedPage, key: str, store: bool = False):
    body, encoding = entry.body_for(request.headers.get("Accept-Encoding", ""), visitor_token, current_app)
    if entry.grown and store:  # compressed for this kind of client for the first time: keep that too
        entry.grown = False
        keep(key, entry)
    response = current_app.response_class(body, mimetype="text/html")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.personalised = True  # type: ignore[attr-defined]
    return _shared_headers(response, key)


def _shared_headers(response, key: str):
    response.headers["ETag"] = _etag(key)
    response.headers["Vary"] = VARY
    response.headers["Cache-Control"] = shared_cache_control()
    return response


def store_and_personalise(response):
    """After a storefront view: keep a cacheable page (compressed once) for the next visitor, then
    personalise it; set the page's caching headers."""
    key = g.pop("page_cache_key", None)
    if key and response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough:
        # The count is part of the page's key, so it is written into the kept copy.
        body = response.get_data().replace(_CART_COUNT_BYTES, str(g.get("cart_count", 0)).encode())
        entry = compression.CachedPage.make(body, current_app)
        response = _answer(entry, key)  # compressed for this client, then kept
        entry.grown = False
        keep(key, entry)
    response = personalise(response)
    if response.status_code == 200 and "page_key" in g:
        _shared_headers(response, g.page_key)
    return response


def no_store(response):
    """A private page (orders, accounts, back office): never kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
_CART_COUNT_BYTES = CART_COUNT_PLACEHOLDER.encode()


def personalise(response):
    """Put this visitor's own CSRF token and cart count into a page (cached or fresh) on its way out."""
    if response.mimetype == "text/html" and not response.direct_passthrough and not getattr(response, "personalised", False):
        body = response.get_data()
        changed = False
        if _PLACEHOLDER_BYTES in body:
            body, changed = body.replace(_PLACEHOLDER_BYTES, visitor_token().encode()), True
        if _CART_COUNT_BYTES in body:
            body, changed = body.replace(_CART_COUNT_BYTES, str(visitor_cart_count()).encode()), True
        if changed:
            response.set_data(body)
        response.personalised = True
    return response


def visitor_token() -> str:
    """This visitor's CSRF token, as flask_wtf's generate_csrf makes it (through the early path's
    kept serializer, when the app has one)."""
    early = current_app.extensions.get("early_pages")
    return early.flask_csrf_token() if early is not None else generate_csrf()


def visitor_cart_count() -> int:
    """This visitor's number of items: the account's cart when signed in, else the session's."""
    user_id = current_user.id if current_user.is_authenticated else None
    cart_id = session.get("cart_id")
    if user_id is None and not isinstance(cart_id, int):
        return 0  # no cart, no query: the common case for a cached page
    try:
        return carts.item_count(cart_id, user_id, current_app.config["CART_LIFETIME_DAYS"])
    except Exception:  # an error page must still render when the database does not answer
        current_app.logger.warning("Could not count the cart's items for the header", exc_info=True)
        db.session.rollback()
        return 0
