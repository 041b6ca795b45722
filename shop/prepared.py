"""Hot reads prepared once on each worker thread's own connection, and run through libpq itself.

A storefront request reads its cache versions (shop/caching.py) and, when its page is not
cached, the product it shows (shop/services/catalog/product_page.py): each in one statement
outside any transaction. On PostgreSQL each worker thread keeps one small autocommit connection
for these (made after gunicorn forks, on first use), and prepares each statement on it the first
time it runs there: planned once, not per request, with parameters and answers as text. psycopg's
cursor machinery and the pool's checkout, isolation switch and reset cost more than the queries.

A connection that fails is replaced once, with its statements prepared again: a database restart
costs nothing visible, and neither does a prepared plan a migration made stale ("cached plan
must not change result type"). A second failure is raised as psycopg raises the server's error.

Elsewhere (SQLite) the same statement runs through SQLAlchemy in autocommit.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import pq
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

from shop.extensions import db
from shop.services.thai import as_utc

# Session settings of the prepared connections: answers in UTC and ISO dates, whatever the server's defaults.
OPTIONS = "-c plan_cache_mode=force_generic_plan -c TimeZone=UTC -c DateStyle=ISO"

_local = threading.local()
_plain_urls: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()  # each engine's URL for psycopg


class PreparedRead:
    """One SELECT, read as its first row: prepared per connection on PostgreSQL, where each column's
    text is turned into a value by `decoders` (one callable of bytes per column)."""

    def __init__(self, name: str, statement: Select, decoders: Sequence[Callable[[bytes], Any]]) -> None:
        self.name = name.encode()
        self.statement = statement
        compiled = statement.compile(dialect=pg_psycopg.dialect(paramstyle="numeric_dollar"))
        self.sql = str(compiled).encode()
        self.order = tuple(compiled.positiontup or ())
        self.fixed = {key: value for key, value in compiled.params.items() if value is not None}
        self.decoders = tuple(decoders)
        if len(self.decoders) != len(statement.selected_columns):
            raise ValueError(f"{name}: one decoder per column")

    def first(self, params: dict[str, Any]) -> Sequence[Any] | None:
        """The statement's first row with these parameters, or None."""
        engine = db.engine
        if engine.dialect.name != "postgresql":
            with engine.connect() as conn:
                return conn.execution_options(isolation_level="AUTOCOMMIT").execute(self.statement, params).first()
        url = _plain_urls.get(engine)
        if url is None:
            url = _plain_urls[engine] = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return self._run(url, [text(params[key] if key in params else self.fixed.get(key)) for key in self.order])

    def _run(self, url: str, values: list[bytes | None]) -> tuple[Any, ...] | None:
        for attempt in (1, 2):
            conn = thread_connection(url)
            try:
                result = self._execute(conn, values)
            except psycopg.OperationalError:
                result = None
            if result is not None and result.status == pq.ExecStatus.TUPLES_OK:
                if result.ntuples == 0:
                    return None
                return tuple(None if (value := result.get_value(0, i)) is None else decode(value)
                             for i, decode in enumerate(self.decoders))
            answered = result is not None and conn.pgconn.status == pq.ConnStatus.OK
            drop_connection(url)
            if attempt == 2:
                if answered and result is not None:
                    raise pg_errors.error_from_result(result)
                raise psycopg.OperationalError(f"the database connection for {self.name.decode()} failed twice")
        raise AssertionError("unreachable")

    def _execute(self, conn: _Connection, values: list[bytes | None]) -> pq.abc.PGresult:
        """The prepared statement's answer (first preparing it on this connection), or the server's error."""
        if self.name not in conn.prepared:
            prepared = conn.pgconn.prepare(self.name, self.sql)
            if prepared.status != pq.ExecStatus.COMMAND_OK:
                return prepared
            conn.prepared.add(self.name)
        return conn.pgconn.exec_prepared(self.name, values)  # type: ignore[arg-type]  # None is NULL to libpq


class _Connection:
    """A thread's own autocommit connection, and the names of the statements prepared on it."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5, options=OPTIONS)
        self.pgconn = self.conn.pgconn
        self.prepared: set[bytes] = set()

    @property
    def closed(self) -> bool:
        return self.conn.closed


def thread_connection(url: str) -> _Connection:
    """This thread's connection to `url`, made on first use (or after a failure)."""
    connections: dict[str, _Connection] = _local.__dict__.setdefault("connections", {})
    conn = connections.get(url)
    if conn is None or conn.closed:
        conn = connections[url] = _Connection(url)
    return conn


def drop_connection(url: str) -> None:
    conn = _local.__dict__.get("connections", {}).pop(url, None)
    if conn is not None:
        conn.conn.close()


def app_connection() -> _Connection | None:
    """This thread's prepared connection to the app's database, if it has made one (for tests)."""
    url = _plain_urls.get(db.engine)
    return _local.__dict__.get("connections", {}).get(url) if url else None


def text(value: Any) -> bytes | None:
    """A parameter as PostgreSQL reads it in text form. Text with a NUL in it names nothing: libpq
    would cut it short at the NUL (so "scarf\x00x" would read as "scarf"); it is sent as NULL."""
    if value is None or (isinstance(value, str) and "\x00" in value):
        return None
    if isinstance(value, datetime):
        return value.isoformat().encode()
    return str(value).encode()


def as_text(value: bytes) -> str:
    return value.decode()


as_bool = {b"t": True, b"f": False}.__getitem__  # a boolean in PostgreSQL's text form


def moment(value: datetime | str | None) -> datetime | None:
    """A timestamp as a read hands it over (PostgreSQL's ISO text, SQLite's naive text or
    datetime, stored as UTC), as an aware UTC datetime."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
