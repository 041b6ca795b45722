"""Compressed responses: brotli, zstd or gzip (flask-compress), shared pages compressed once.

HTML, CSS, JavaScript, JSON, CSV, XML and plain text are compressed for any client that asks.
A page that every anonymous visitor gets alike (the catalogue, a centre, the home page, the
sitemap) is compressed once: the compressed bytes are kept in the shop's cache (Redis when
REDIS_URL is set) under the hash of the page's own bytes, so they can never be stale, whatever
changed the page. Anything personal (a signed-in visitor, a page that carries the visitor's
own CSRF token, an API answer) is compressed on the way out and never kept.
"""
from __future__ import annotations

import hashlib

from flask import Flask, g, request, session
from flask_compress import Compress

from shop.extensions import cache

# Endpoints whose answer is the same for every anonymous visitor (with the same URL).
SHARED_ENDPOINTS = frozenset({
    "storefront.home", "storefront.catalogue", "storefront.centre", "storefront.product",
    "storefront.sitemap", "storefront.robots_txt", "static",
})
COMPRESSED_TIMEOUT = 3600
_NOT_SHARED = ""


def shared_body_key(response) -> str:
    """The hash of a response every anonymous visitor gets alike; "" for anything personal."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed:
        return _NOT_SHARED
    if request.endpoint not in SHARED_ENDPOINTS or "_user_id" in session:
        return _NOT_SHARED
    if "csrf_token" in g:  # Flask-WTF keeps the token it put into this page here
        return _NOT_SHARED
    return hashlib.sha256(response.get_data()).hexdigest()


class SharedCompress(Compress):
    """flask-compress, told for each response whether its compressed bytes may be kept."""

    def after_request(self, response):
        g.compress_body_key = shared_body_key(response) if response.mimetype in self.compress_mimetypes_set else ""
        return super().after_request(response)


class CompressedCache:
    """flask-compress's cache backend over the shop's cache; personal responses are never kept.

    flask-compress asks for "<algorithm>;<key>" and stores after every response, hit or miss:
    a hit is not written again.
    """

    def get(self, key: str) -> bytes | None:
        if key.endswith(";"):
            return None
        value = cache.get("gz:" + key)
        g.compress_hit = value is not None
        return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";") or g.pop("compress_hit", False):
            return
        cache.set("gz:" + key, value, timeout=COMPRESSED_TIMEOUT)


def _key(_request) -> str:
    return g.get("compress_body_key", "")


compress = SharedCompress()


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", _key)
    compress.init_app(app)
