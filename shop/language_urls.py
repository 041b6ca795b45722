"""The language in the URL: Thai at the root (/products/...), English under /en/ (/en/products/...).

Before each request context is made, "/en" moves from the WSGI path to SCRIPT_NAME and the request
is marked English (as a WSGI middleware would, but without a frame of its own under every view),
so every view, template and `url_for` works unchanged and builds /en/... links on an English
page. Files (static, media), the sitemap, robots.txt, the API, webhooks and health checks have
one address for both languages: `url_for` leaves /en out for them.

The visible switch (`storefront.set_language`) goes to the same page in the other language and
remembers the choice in the session; a catalogue page opened at the root by someone who chose
English is sent to its /en/ address, so old links keep working.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, has_request_context, request
from flask.ctx import RequestContext
from flask.globals import _cv_request

ENGLISH_PREFIX = "/en"
URL_LANGUAGE = "shop.url_language"  # set in the WSGI environ for a request under /en/
LANGUAGE_PREFIXES = {"th": "", "en": ENGLISH_PREFIX}
# Addresses that are the same in every language.
NEUTRAL_ENDPOINTS = frozenset({
    "static", "storefront.media", "storefront.set_language", "storefront.healthz",
    "storefront.sitemap", "storefront.sitemap_part", "storefront.robots_txt", "storefront.favicon",
})
NEUTRAL_BLUEPRINTS = ("api.", "webhooks.", "ops.")


def move_language_prefix(environ: dict) -> None:
    """/en and /en/... are the English shop, served at SCRIPT_NAME + "/en"."""
    path = environ.get("PATH_INFO", "")
    if URL_LANGUAGE not in environ and (path == ENGLISH_PREFIX or path.startswith(ENGLISH_PREFIX + "/")):
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + ENGLISH_PREFIX
        environ["PATH_INFO"] = path[len(ENGLISH_PREFIX):] or "/"
        environ[URL_LANGUAGE] = "en"


def url_language() -> str | None:
    """"en" when the request came under /en/; None at the root (Thai, or the session's choice)."""
    return request.environ.get(URL_LANGUAGE) if has_request_context() else None


def is_neutral(endpoint: str) -> bool:
    return endpoint in NEUTRAL_ENDPOINTS or endpoint.startswith(NEUTRAL_BLUEPRINTS)


def _without_prefix(url: str) -> str:
    """The same URL without the /en this request's script root carries."""
    outer = request.script_root[: -len(ENGLISH_PREFIX)]
    parts = urlsplit(url)
    if parts.path.startswith(request.script_root):
        parts = parts._replace(path=outer + parts.path[len(request.script_root):])
    return urlunsplit(parts)


BUILT_URLS_KEPT = 50_000
MATCHES_KEPT = 20_000
# Addresses (host and path) longer than this are matched each time, not remembered: a slug is at
# most 120 characters, and a memo of junk addresses a few kilobytes long would hold that much each.
LONGEST_REMEMBERED_ADDRESS = 400


class ShopRequestContext(RequestContext):
    """Flask's request context, whose URL match is remembered per worker for each method and
    address (the URL map never changes while the app serves): a page the early path did not
    answer (an uncached page, a refused checkout) is not matched by werkzeug's router again.
    Only successful matches are kept; a 404, 405 or redirect is matched each time."""

    def match_request(self) -> None:
        environ = self.request.environ
        host, path = environ.get("HTTP_HOST") or "", environ.get("PATH_INFO") or ""
        key = (environ.get("REQUEST_METHOD"), host, environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
               environ.get("SCRIPT_NAME"), path, environ.get("wsgi.url_scheme"))
        matches: dict[tuple, tuple[Any, dict]] = self.app.route_matches  # type: ignore[attr-defined]
        found = matches.get(key)
        if found is not None:
            self.request.url_rule, args = found
            self.request.view_args = dict(args)
            return
        super().match_request()
        if self.request.routing_exception is None and len(host) + len(path) <= LONGEST_REMEMBERED_ADDRESS:
            if len(matches) >= MATCHES_KEPT:
                matches.clear()
            matches[key] = (self.request.url_rule, dict(self.request.view_args or {}))


SYNC_FUNCTIONS_KEPT = 2000


class ShopFlask(Flask):
    """Flask that serves /en/... as the English shop, and whose url_for keeps language-neutral
    addresses out of /en/."""

    built_urls: dict[tuple, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.built_urls = {}
        self.route_matches: dict[tuple, tuple[Any, dict]] = {}
        self.sync_functions: dict[Any, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        """Flask's ensure_sync, remembered per function: Flask asks it of each of the twenty-odd
        hooks on every request, and inspect's coroutine test was a tenth of a light request."""
        try:
            return self.sync_functions[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(self.sync_functions) < SYNC_FUNCTIONS_KEPT:  # views and hooks: a fixed set
                self.sync_functions[func] = made
            return made
        except TypeError:  # unhashable
            return super().ensure_sync(func)

    def request_context(self, environ: dict) -> RequestContext:
        move_language_prefix(environ)
        return ShopRequestContext(self, environ)

    def url_for(self, endpoint: str, /, **values: Any) -> str:  # type: ignore[override]
        """Flask's url_for; in a request, each address is built once per worker and remembered
        (the map and the URL defaults never change while the app serves; the key holds the
        request's script root, host and scheme, and every value given)."""
        ctx = _cv_request.get(None)  # the request itself, not through its proxy: a page asks forty-odd times
        if ctx is None or endpoint.startswith("."):
            return self._build(endpoint, values)
        environ = ctx.request.environ
        try:
            key = (endpoint, environ.get("SCRIPT_NAME", ""), environ.get("HTTP_HOST", ""),
                   environ.get("wsgi.url_scheme", ""), ctx.request.blueprint, frozenset(values.items()))
            built = self.built_urls.get(key)
        except TypeError:  # a value that cannot be a key (a list): built every time
            return self._build(endpoint, values)
        if built is None:
            built = self._build(endpoint, values)
            if len(self.built_urls) >= BUILT_URLS_KEPT:
                self.built_urls.clear()
            self.built_urls[key] = built
        return built

    def _build(self, endpoint: str, values: dict[str, Any]) -> str:
        url = super().url_for(endpoint, **values)
        if url_language() and is_neutral(endpoint):
            return _without_prefix(url)
        return url


def localised_path(path: str, lang: str) -> str:
    """A site path (starting with /, without any /en) as it is in `lang`."""
    return LANGUAGE_PREFIXES.get(lang, "") + path


def neutral_path(path: str) -> str:
    """A site path with any /en prefix taken off: "/en/products/x" -> "/products/x"."""
    if path == ENGLISH_PREFIX or path.startswith(ENGLISH_PREFIX + "/"):
        return path[len(ENGLISH_PREFIX):] or "/"
    if path.startswith(ENGLISH_PREFIX + "?"):
        return "/" + path[len(ENGLISH_PREFIX):]
    return path


def here_path() -> str:
    """This page's path and query, without any language prefix."""
    return request.full_path.rstrip("?") if request.query_string else request.path


def page_urls() -> dict[str, str]:
    """This page's absolute address in each language, and x-default (Thai, the shop's default)."""
    base = current_app.config["PUBLIC_URL"]
    path = here_path()
    urls = {lang: base + localised_path(path, lang) for lang in LANGUAGE_PREFIXES}
    urls["x-default"] = urls["th"]
    return urls


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(page_urls=page_urls, here_path=here_path)
