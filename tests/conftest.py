"""Test fixtures: every test gets a fresh app on a clean database, on SQLite and on PostgreSQL.

The schema is built once per run and per backend by the Alembic migrations (never by
create_all), and emptied after each test. PostgreSQL gets its own database per run,
dropped at the end. Under CI=true an unreachable PostgreSQL fails the run; elsewhere
its tests are skipped with the reason.
"""
from __future__ import annotations

import functools
import gc
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db

DEFAULT_PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
KEEP_TABLES = {"alembic_version", "catalog_version"}
# TEST_DEPTH=deep: the property tests and the fuzzers try ten times as many examples (a long run
# by hand, e.g. before a release; see the README). The everyday and CI run is the default.
DEEP = os.environ.get("TEST_DEPTH", "").lower() == "deep"


def examples(everyday: int) -> int:
    """How many examples a property test or fuzzer tries: `everyday`, or ten times as many under TEST_DEPTH=deep."""
    return everyday * 10 if DEEP else everyday


# Passwords in the tests are hashed with scrypt at a lower cost than werkzeug's default
# (scrypt:32768:8:1, about 0.1 s of CPU per hash, which was a quarter of the suite's time).
# Checking a password reads the method and cost from the stored hash, so signing in works
# the same. test_accounts.py checks that the shop itself hashes at werkzeug's full cost.
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    from werkzeug.security import generate_password_hash

    import shop.models.accounts

    def cheap(password: str, method: str = TEST_PASSWORD_HASH, salt_length: int = 16) -> str:
        return generate_password_hash(password, method=method, salt_length=salt_length)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shop.models.accounts, "generate_password_hash", cheap)
        yield


# A paid order's receipt is laid out as a PDF when the payment commits (it goes with the email),
# so every test whose world holds a paid order made one: WeasyPrint's layout was a seventh of the
# web tests' time. Layout depends only on the HTML (tests/unit/test_pdf.py checks the same HTML
# gives the same bytes), so each test process lays out each distinct page once.
@pytest.fixture(autouse=True, scope="session")
def _each_pdf_laid_out_once() -> Iterator[None]:
    from shop.services import pdf

    laid_out = functools.lru_cache(maxsize=256)(pdf.lay_out)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "lay_out", laid_out)
        yield


# Each test makes its own app, and werkzeug compiles Python code (by way of an AST) for building
# the URL of each of the shop's rules in each new app: two thirds of the time create_app takes.
# The code depends only on the rule's parts and its default values, never on the app (it reaches
# the converters through the rule it is bound to), so each test process compiles it once.
@pytest.fixture(autouse=True, scope="session")
def _url_builders_compiled_once() -> Iterator[None]:
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def once(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        key = (append_unknown, rule.rule, tuple(rule._trace), tuple(map(str, defaults)),
               tuple((name, rule._converters[name].to_url(value)) for name, value in defaults.items()
                     if name in rule._converters))
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", once)
        yield


# The run's temporary folders (each test's instance folder with its media, the SQLite databases)
# go in memory where the machine has a roomy tmpfs: on this disk a file or folder made or removed
# costs up to a millisecond, and a SQLite commit waits for its fsync. A --basetemp or a
# PYTEST_DEBUG_TEMPROOT of one's own is kept. Under xdist the workers' folders sit in the
# controller's, so the controller choosing is enough.
MEMORY_TEMP_ROOT = Path("/dev/shm")
MEMORY_TEMP_ROOM = 2 * 1024**3


def _memory_temp_root() -> Path | None:
    try:
        roomy = shutil.disk_usage(MEMORY_TEMP_ROOT).free >= MEMORY_TEMP_ROOM
    except OSError:
        return None
    return MEMORY_TEMP_ROOT if roomy and os.access(MEMORY_TEMP_ROOT, os.W_OK | os.X_OK) else None


def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT") or hasattr(config, "workerinput"):
        return
    root = _memory_temp_root()
    if root is not None:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(root)


def pytest_collection_finish(session: pytest.Session) -> None:  # noqa: ARG001
    # What the imports and the collection made lives as long as the process: out of the garbage
    # collector's sight, so that its full passes (a sixth of the tests' CPU time) walk only what
    # the tests make. A few per cent of the run.
    gc.collect()
    gc.freeze()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("TEST_DATABASES", "sqlite,postgresql"),
        help="comma-separated backends to run database tests on (sqlite, postgresql)",
    )


# The few tests that take many seconds each (most take a fraction of one) start first, so that
# under pytest-xdist no worker is left running one of them alone at the end of the run.
LONG_RUNNING = (
    "tests/web/test_fuzz_forms.py::",
    "tests/web/test_api_schema.py::",
    "tests/unit/test_programme_totals.py::test_figures_always_reconcile",
    "tests/unit/test_settlements_property.py::",
    "tests/unit/test_stripe_types.py::",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_RUNNING))  # stable: otherwise as collected


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = [b.strip() for b in metafunc.config.getoption("--db").split(",") if b.strip()]
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


def _pg_server_url() -> str:
    from shop.config import normalise_database_url

    return normalise_database_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_SERVER)


def _create_pg_database() -> tuple[str, sa.Engine, str]:
    server = sa.make_url(_pg_server_url())
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = f"relearn_test_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {server.render_as_string(hide_password=True)} is unreachable: {exc.orig}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL is required)", pytrace=False)
        pytest.skip(message)
    return server.set(database=name).render_as_string(hide_password=False), admin, name


class SharedEngines:
    """The `app` fixture's apps on one backend share one engine, and so its pool, per test process.

    Flask-SQLAlchemy makes each app its own engine: each test would open new connections and, on
    PostgreSQL, run the dialect's first-connect queries again (some 40 ms a test). The fixture's
    apps are made alike, so they share the engine: every test still starts on emptied tables, and
    its connections go back to the pool, rolled back, when its session ends. The apps a test
    makes itself (a second server, other settings) have their own engines, as before.
    """

    FLAG = "TESTS_SHARE_ENGINE"  # set in the config of the apps that share

    def __init__(self) -> None:
        self.engines: dict[str, sa.Engine] = {}
        self.own_engine = db._make_engine

    def make_engine(self, bind_key: str | None, options: dict, app) -> sa.Engine:
        if not app.config.get(self.FLAG):
            return self.own_engine(bind_key, options, app)
        key = repr(sorted((name, str(value)) for name, value in options.items()))
        if key not in self.engines:
            self.engines[key] = self.own_engine(bind_key, options, app)
        return self.engines[key]

    def dispose(self, url: str) -> None:
        """Close the pools of the engines on this database (before it is dropped)."""
        for key, engine in list(self.engines.items()):
            if engine.url.database == sa.make_url(url).database:
                engine.dispose()
                del self.engines[key]


@pytest.fixture(scope="session")
def shared_engines() -> Iterator[SharedEngines]:
    shared = SharedEngines()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "_make_engine", shared.make_engine)
        yield shared
    for engine in shared.engines.values():
        engine.dispose()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            shared_engines: SharedEngines) -> Iterator[str]:
    """The database URL of one backend, migrated to head, for the whole run."""
    kind = request.param
    instance = tmp_path_factory.mktemp(f"instance-{kind}")
    admin = name = None
    if kind == "sqlite":
        url = f"sqlite:///{instance / 'test.sqlite3'}"
    elif kind == "postgresql":
        url, admin, name = _create_pg_database()
    else:
        raise pytest.UsageError(f"unknown --db backend {kind!r}")
    app = create_app(TestConfig(url, str(instance)))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    shared_engines.dispose(url)
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Sets back the sequences of the emptied tables that have handed out an id since they last started again.
_RESTART_USED_SEQUENCES = sa.text("""
    SELECT setval(s.oid::regclass, ps.start_value, false)
    FROM pg_class s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_sequences ps ON ps.schemaname = current_schema() AND ps.sequencename = s.relname
    WHERE s.relkind = 'S' AND t.relname = ANY(:tables) AND ps.last_value IS NOT NULL
""")


def _empty_tables() -> None:
    """Every table but KEEP_TABLES emptied, and their ids starting again from 1.

    On PostgreSQL this does what `TRUNCATE ... RESTART IDENTITY` does, cheaply: TRUNCATE costs
    tens of milliseconds per table, empty or not (it makes new files for each), and a test
    touches a few of the 40-odd tables. So only the tables holding rows are emptied, by DELETE
    (dependent tables first), and only the sequences that have been used are set back.
    """
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            for table in tables:
                conn.execute(table.delete())
            return
        holding = set(conn.execute(sa.text(" UNION ALL ".join(
            f"SELECT {n} WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for n, t in enumerate(tables)))).scalars())
        for n, table in enumerate(tables):
            if n in holding:
                conn.execute(table.delete())
        conn.execute(_RESTART_USED_SEQUENCES, {"tables": [t.name for t in tables]}).all()


class SharedTemplateCode(jinja2.BytecodeCache):
    """Templates compiled once per test process, not once per test.

    Each test makes its own app, and so its own Jinja environment, which would parse and compile
    again every template the test renders (a tenth of the time of the web tests). The apps are
    made alike, so they share the compiled code; Jinja compares each template's source with the
    checksum kept with its code, and compiles it again if it changed.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


@functools.cache
def release() -> str:
    """The digest of the templates and translations, worked out once per test process, not per app."""
    from shop import caching
    from shop.config import BASE_DIR

    return caching.release_tag([BASE_DIR / "templates", BASE_DIR / "shop" / "translations"])


@pytest.fixture
def app(backend: str, tmp_path: Path):
    config = TestConfig(backend, str(tmp_path))
    setattr(config, SharedEngines.FLAG, True)
    config.CACHE_RELEASE = release()  # type: ignore[attr-defined]
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    app.test_client_class = IsolatedClient
    from shop.extensions import limiter

    with app.app_context():
        limiter.reset()  # rate-limit counts from earlier tests must not carry over
        yield app
        db.session.remove()
        _empty_tables()
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    The tests hold an app context open for database access; without this, Flask would
    reuse it for requests and share `g` (Babel's locale, the signed-in user) between them.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction first, so the request and the test's next reads see
        # each other's commits (SQLite's WAL snapshots would otherwise go stale).
        db.session.commit()
        token = _cv_app.set(None)  # type: ignore[arg-type]
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def demo_snapshots():
    """The demo catalogue as seeded once in this process per backend (tests/demo_snapshot.py)."""
    from tests.demo_snapshot import DemoSnapshots

    return DemoSnapshots()


@pytest.fixture
def demo(app, demo_snapshots):
    """The demo catalogue, as `flask seed-demo` loads it (seed_demo's rows and files, copied when
    this process has seeded an empty shop on this backend before: tests/demo_snapshot.py)."""
    demo_snapshots.seed(app.config["MEDIA_FOLDER"])
    return app


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):  # noqa: ARG001
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
                statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting
