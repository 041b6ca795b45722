"""Compressed responses: brotli, zstd or gzip (flask-compress), shared pages compressed once.

HTML, CSS, JavaScript, JSON, CSV, XML and plain text are compressed for any client that asks.
A page that every anonymous visitor gets alike (the catalogue, a centre, the home page, the
sitemap) is compressed once: the compressed bytes are kept in the shop's cache (Redis when
REDIS_URL is set) under the hash of the page's own bytes, so they can never be stale, whatever
changed the page. Anything personal (a signed-in visitor, an API answer) is compressed on the
way out and never kept.

Whole cached storefront pages (shop/caching.py) are kept as a CachedPage with their compressed
forms, each made once, when a client first asks for it. A product page carries each visitor's own CSRF token:
its gzip form is kept in pieces, the parts before and after the token each deflated once and
ended with a full flush (byte-aligned, sharing no history), and each answer stitches the
visitor's token between them as a stored deflate block, with the CRC-32 carried over the parts.
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field

from flask import Flask, g, request, session
from flask_compress import Compress
from flask_compress import flask_compress as _fc  # its algorithm choice and levels, so ours match

from shop.extensions import cache

# Endpoints whose answer is the same for every anonymous visitor (with the same URL).
SHARED_ENDPOINTS = frozenset({
    "storefront.home", "storefront.catalogue", "storefront.centre", "storefront.product",
    "storefront.sitemap", "storefront.robots_txt", "static",
})
COMPRESSED_TIMEOUT = 3600
_NOT_SHARED = ""
CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
# A gzip header without a name or a time (RFC 1952): deflate, no flags, mtime 0, unknown OS.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
FINAL_BLOCK = b"\x03\x00"  # an empty final deflate block (fixed codes)


def deflate_part(data: bytes, level: int) -> bytes:
    """Raw deflate of one part, ended by a full flush: byte-aligned and referring to nothing before it."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def stored_blocks(data: bytes) -> bytes:
    """`data` as non-final stored deflate blocks, to go at a byte boundary (after a full flush)."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start:start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


@dataclass
class CachedPage:
    """A cached page, split at the visitor's token placeholders, with its compressed forms."""

    parts: list[bytes]
    deflated: list[bytes]  # each part deflated once (deflate_part); empty until a gzip client asks
    packed: dict[str, bytes] = field(default_factory=dict)  # whole-page forms, for a page with no token
    grown: bool = False  # a compressed form was added since it was read from the cache

    @classmethod
    def make(cls, body: bytes, app: Flask) -> CachedPage:
        """A page to keep; its compressed forms are made when a client first asks for one."""
        return cls(parts=body.split(_PLACEHOLDER), deflated=[])

    def body_for(self, accept_encoding: str, token, app: Flask) -> tuple[bytes, str | None]:
        """The bytes for a client that accepts `accept_encoding`; `token()` gives the visitor's token.

        A form made here for the first time sets `grown`: the caller keeps the page again."""
        if len(self.parts) == 1:
            body = self.parts[0]
            if len(body) < app.config.get("COMPRESS_MIN_SIZE", 500):
                return body, None
            algorithm = _fc._choose_algorithm(tuple(app.config["COMPRESS_ALGORITHM"]), accept_encoding)
            if algorithm is None:
                return body, None
            if algorithm not in self.packed:
                self.packed[algorithm] = _fc._compress_data(app, body, algorithm)
                self.grown = True
            return self.packed[algorithm], algorithm
        visitor = token().encode()
        if _fc._choose_algorithm(("gzip",), accept_encoding) == "gzip" and self._deflated(app):
            return self.gzip(visitor), "gzip"
        return visitor.join(self.parts), None  # flask-compress compresses it on the way out

    def _deflated(self, app: Flask) -> bool:
        """Each part deflated, once, when a gzip client first asks; False below the minimum size."""
        if not self.deflated:
            size = sum(map(len, self.parts)) + len(_PLACEHOLDER) * (len(self.parts) - 1)
            if size < app.config.get("COMPRESS_MIN_SIZE", 500):
                return False
            level = app.config.get("COMPRESS_LEVEL", 6)
            self.deflated = [deflate_part(part, level) for part in self.parts]
            self.grown = True
        return True

    def gzip(self, token: bytes) -> bytes:
        """One gzip member: the parts deflated once, the token between them as stored blocks."""
        pieces = [GZIP_HEADER, self.deflated[0]]
        crc, size = zlib.crc32(self.parts[0]), len(self.parts[0])
        between = stored_blocks(token)
        for part, deflated in zip(self.parts[1:], self.deflated[1:], strict=True):
            pieces += [between, deflated]
            crc = zlib.crc32(part, zlib.crc32(token, crc))
            size += len(token) + len(part)
        pieces += [FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
        return b"".join(pieces)


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
