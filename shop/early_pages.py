"""Cached storefront pages answered before Flask's request machinery, for anonymous visitors.

A WSGI layer in front of the app: for a GET or HEAD of the home, catalogue, centre or product
page by a visitor who is not signed in and has no message waiting, it matches the URL, reads
the page's versions in the one state query (shop/caching.py), and answers a 304 or the cached
page itself, with the same headers the app would send. Anything else (a miss, a signed-in
visitor, maintenance mode, a stock hold to expire, a language redirect) goes on to Flask
unchanged; a miss hands its state read over, so the request still costs one state query.

The visitor's CSRF token is made as Flask-WTF makes it (a random secret kept in the signed
session cookie, and that secret signed with the `wtf-csrf-token` salt), so forms on an early
page post like any other; tests post them.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping
from timeit import default_timer
from typing import Any

from flask import Flask, g
from flask import session as flask_session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_compress.flask_compress import _choose_algorithm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm
from itsdangerous.timed import TimestampSigner
from werkzeug.exceptions import HTTPException
from werkzeug.http import dump_cookie, parse_cookie
from werkzeug.routing import RequestRedirect

from shop import caching
from shop.language_urls import LONGEST_REMEMBERED_ADDRESS, URL_LANGUAGE, move_language_prefix
from shop.services import maintenance

Answer = tuple[str, list[tuple[str, str]], bytes]
ENDPOINT = "shop.early_endpoint"
ROUTES_KEPT = 20_000  # addresses whose route is remembered; the memo starts again when full


class EarlyPages:
    """Wraps the app's WSGI callable; see the module's docstring."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.headers: list[tuple[str, str]] = []  # the security headers, filled in by create_app
        # The URL map does not change once the app serves: each address is matched once per worker.
        self.routes: dict[tuple[str, str, str], tuple[str, Mapping[str, Any]] | None] = {}
        self.metrics: dict[tuple[str, str, str], tuple[Any, Any] | None] = {}
        self.serializers: dict[tuple[str, Any], KeptSignerSerializer] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and self.app.config.get("FRAGMENT_CACHE", True):
            started = default_timer()
            try:
                answer = self.answer(environ)
            except Exception:  # noqa: BLE001 - whatever went wrong, Flask answers (and logs) it
                self.app.logger.exception("early page path failed; Flask answers instead")
                environ.pop(caching.EARLY_STATE, None)
                environ.pop(caching.EARLY_MISS, None)
                answer = None
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                self.account(environ, status, headers, started)
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)

    def account(self, environ: dict, status: str, headers: list[tuple[str, str]], started: float) -> None:
        """The same request metrics and log line as a request through Flask (shop/ops)."""
        code, endpoint, method = status.split(" ", 1)[0], environ.get(ENDPOINT, ""), environ["REQUEST_METHOD"]
        elapsed = max(default_timer() - started, 0.0)
        labels = (method, endpoint, code)
        if labels not in self.metrics:
            self.metrics[labels] = self.metric_children(*labels)
        children = self.metrics[labels]
        if children is not None:
            children[0].observe(elapsed)
            children[1].inc()
        if self.app.logger.isEnabledFor(logging.INFO):
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            request_id = dict(headers).get("X-Request-ID", "")
            self.app.logger.info("%s %s %s", method, path, code, extra={
                "event": "request", "request_id": request_id, "method": method, "path": path, "endpoint": endpoint,
                "status": int(code), "duration_ms": round(elapsed * 1000, 1), "user_id": None,
            })

    def metric_children(self, method: str, endpoint: str, code: str) -> tuple[Any, Any] | None:
        """The request metrics' series for these labels (made once; prometheus keeps them)."""
        exporter = self.app.extensions.get("http_metrics")
        if exporter is None:
            return None
        collectors = exporter.registry._names_to_collectors  # noqa: SLF001 - the exporter's own metrics
        duration, total = collectors.get("flask_http_request_duration_seconds"), collectors.get("flask_http_request_total")
        if duration is None or total is None:
            return None
        return duration.labels(method=method, endpoint=endpoint, status=code), total.labels(method=method, status=code)

    def answer(self, environ: dict) -> Answer | None:
        move_language_prefix(environ)
        route = self.route(environ)
        if route is None:
            return None
        endpoint, args = route
        environ[ENDPOINT] = endpoint
        with self.app.app_context():
            return self.answer_page(environ, endpoint, args)

    def route(self, environ: dict) -> tuple[str, Mapping[str, Any]] | None:
        """The page endpoint and its arguments for this address, or None for any other address."""
        address = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""), environ.get("SCRIPT_NAME", ""),
                   environ.get("PATH_INFO", ""))
        if address in self.routes:
            return self.routes[address]
        try:
            endpoint, args = self.app.url_map.bind_to_environ(environ, server_name=self.app.config.get("SERVER_NAME")).match()
        except (HTTPException, RequestRedirect):
            route = None
        else:
            route = (endpoint, args) if endpoint in caching.PAGE_ENDPOINTS else None
        if len(address[0]) + len(address[2]) > LONGEST_REMEMBERED_ADDRESS:
            return route  # a junk address is not kept (see language_urls)
        if len(self.routes) >= ROUTES_KEPT:
            self.routes.clear()
        self.routes[address] = route
        return route

    def answer_page(self, environ: dict, endpoint: str, args: Mapping[str, Any]) -> Answer | None:
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None
        session = self.session(cookies)
        if session is None or "_user_id" in session or "_flashes" in session:
            return None
        if session.get("cart_id") is not None:
            return None  # the header counts this visitor's items: Flask reads the cart
        lang = environ.get(URL_LANGUAGE) or "th"
        if lang == "th" and session.get("lang") == "en":
            return None  # the app sends this visitor to the English address
        if maintenance.is_on():
            return None
        state = caching.read_state(*caching.slugs_of(endpoint, args))
        environ[caching.EARLY_STATE] = state
        tag = state.tag(endpoint)
        if tag is None or caching.overdue(state):
            return None
        key = caching.page_key(tag, lang, environ)
        token_page = endpoint in caching.TOKEN_ENDPOINTS

        def etag() -> str:  # with the visitor's CSRF secret as it is now, on a page with their token
            return caching.page_etag(key, session.get("csrf_token", "") if token_page else None)

        headers = [("Vary", caching.VARY), ("Cache-Control", caching.shared_cache_control())]
        headers += [*self.headers, ("X-Request-ID", uuid.uuid4().hex)]
        if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
        if if_none_match and caching.etag_matches(if_none_match, etag()):
            return "304 Not Modified", [("ETag", etag()), *headers], b""
        entry = caching.kept(key)
        if entry is None:
            environ[caching.EARLY_MISS] = key
            return None
        new_cookie: list[str] = []

        def token() -> str:
            return self.csrf_token(session, new_cookie)

        body, encoding = entry.body_for(environ.get("HTTP_ACCEPT_ENCODING", ""), token, self.app)
        if entry.grown:
            entry.grown = False
            caching.keep(key, entry)
        if encoding is None and len(entry.parts) > 1 and accepts_compression(self.app, environ):
            return None  # a client with brotli or zstd but no gzip: Flask compresses this page its own way
        headers.append(("ETag", etag()))
        if new_cookie:
            headers[1] = ("Cache-Control", "private, no-cache")  # never kept by a shared cache
            headers.append(("Set-Cookie", new_cookie[0]))
        headers += [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        return "200 OK", headers, body

    def session(self, cookies: dict) -> SecureCookieSession | None:
        """The visitor's session from its signed cookie; an empty one when there is none; None if unreadable."""
        interface = self.app.session_interface
        value = cookies.get(interface.get_cookie_name(self.app))  # type: ignore[attr-defined]
        if not value:
            return SecureCookieSession()
        serializer = self.session_serializer()
        if serializer is None:
            return None
        try:
            data = serializer.loads(value, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return SecureCookieSession(data)

    def csrf_token(self, session: SecureCookieSession, new_cookie: list[str]) -> str:
        """The visitor's CSRF token, as flask_wtf.csrf.generate_csrf makes it; a new session keeps its secret."""
        field = self.app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            new_cookie.append(self.session_cookie(session))
        return self.signed_token(session[field])

    def flask_csrf_token(self) -> str:
        """flask_wtf.csrf.generate_csrf() in a request Flask serves: the same token (made once per
        request, the secret kept in the session), signed by the serializer kept here rather than
        one made for each call. Flask's session interface writes the cookie."""
        field = self.app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        token = g.get(field)
        if token is None:
            if field not in flask_session:
                flask_session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            token = self.signed_token(flask_session[field])
            setattr(g, field, token)
        return token

    def signed_token(self, value: Any) -> str:
        """The CSRF secret `value` signed as flask-wtf signs it."""
        config = self.app.config
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key or ""
        serializer = self.serializers.get(("csrf", secret))
        if serializer is None:
            serializer = self.serializers[("csrf", secret)] = KeptSignerSerializer(
                secret, salt="wtf-csrf-token", signer=KeptKeySigner)
        if isinstance(value, str) and value.isalnum() and value.isascii():  # a hex secret: its JSON is itself in quotes
            return serializer.dumps_json(f'"{value}"'.encode())
        return str(serializer.dumps(value))

    def session_serializer(self) -> URLSafeTimedSerializer | None:
        """Flask's session serializer (the app's KeptSessionInterface makes it once per key)."""
        return self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]

    def session_cookie(self, session: SecureCookieSession) -> str:
        """The Set-Cookie value Flask's session interface would send for this session."""
        app, interface = self.app, self.app.session_interface
        serializer = self.session_serializer()
        assert serializer is not None  # a session was read, so the app has a secret key
        value = dict(session)
        only = value.get("csrf_token")
        if len(value) == 1 and isinstance(only, str) and only.isalnum() and only.isascii() and isinstance(serializer, KeptSignerSerializer):
            signed = serializer.dumps_json(f'{{"csrf_token":"{only}"}}'.encode())  # a new visitor's session, as Flask writes it
        else:
            signed = serializer.dumps(value)
        return dump_cookie(
            interface.get_cookie_name(app),  # type: ignore[attr-defined]
            signed,
            expires=interface.get_expiration_time(app, session),
            domain=interface.get_cookie_domain(app),
            path=interface.get_cookie_path(app),
            secure=interface.get_cookie_secure(app),
            httponly=interface.get_cookie_httponly(app),
            samesite=interface.get_cookie_samesite(app),
        )


class _OpenSSLHMAC(HMACAlgorithm):
    """HMAC through hashlib's OpenSSL one-shot (itsdangerous's own passes a constructor, the slow path)."""

    def __init__(self, digest_method: Any = None) -> None:
        super().__init__(digest_method)
        self.name = self.digest_method().name

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.name)


class KeptKeySigner(TimestampSigner):
    """itsdangerous's TimestampSigner, byte for byte, with each derived key made once, not per signature."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.algorithm = _OpenSSLHMAC(self.digest_method)
        self.derived: dict[bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        kept = secret_key if secret_key is None else (secret_key.encode() if isinstance(secret_key, str) else secret_key)
        key = self.derived.get(kept)
        if key is None:
            key = self.derived[kept] = super().derive_key(secret_key)
        return key


class KeptSignerSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer whose signer (and so its derived keys) is made once per salt:
    itsdangerous makes a new signer for every dumps, which threw KeptKeySigner's keys away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signers: dict[Any, Any] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Any:
        signer = self.signers.get(salt)
        if signer is None:
            signer = self.signers[salt] = super().make_signer(salt)
        return signer

    def dumps_json(self, json: bytes) -> str:
        """What dumps(obj) returns for an obj whose JSON is `json` (a new visitor's token and
        session are known strings: their serializing is skipped, the rest is itsdangerous's own)."""
        compressed = zlib.compress(json)
        payload = b"." + base64_encode(compressed) if len(compressed) < len(json) - 1 else base64_encode(json)
        return self.make_signer(self.salt).sign(payload).decode("utf-8")


class KeptSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, byte for byte, with the signing serializer made once per
    set of keys: Flask makes a serializer, a signer and a derived key on every request."""

    def __init__(self) -> None:
        self.kept: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:  # type: ignore[override]
        if not app.secret_key:
            return None
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key)
        serializer = self.kept.get(keys)
        if serializer is None:
            flasks = super().get_signing_serializer(app)
            assert flasks is not None  # a secret key is set
            serializer = self.kept[keys] = KeptSignerSerializer(
                flasks.secret_keys, salt=flasks.salt, serializer=flasks.serializer, signer=KeptKeySigner,
                signer_kwargs=flasks.signer_kwargs)
        return serializer


def accepts_compression(app: Flask, environ: dict) -> bool:
    return _choose_algorithm(tuple(app.config["COMPRESS_ALGORITHM"]), environ.get("HTTP_ACCEPT_ENCODING", "")) is not None


def init_app(app: Flask) -> EarlyPages:
    app.session_interface = KeptSessionInterface()
    early = EarlyPages(app, app.wsgi_app)
    app.wsgi_app = early  # type: ignore[method-assign]
    app.extensions["early_pages"] = early
    return early
