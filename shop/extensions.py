"""Flask extensions, created unbound here and bound to the app in create_app()."""
import sqlite3

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Indexes that only a migration makes (PostgreSQL-specific), so comparisons leave them be.
MIGRATION_ONLY_INDEXES = frozenset({"ix_product_search_text_trgm"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ARG001
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, include_object=include_object)
csrf = CSRFProtect()
babel = Babel()
cache = Cache()
login_manager = LoginManager()
# Storage from RATELIMIT_STORAGE_URI: Redis when REDIS_URL is set, so all servers share counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    """SQLite: SQLAlchemy drives transactions; WAL so readers never block the writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    # A writing service asks for BEGIN IMMEDIATE (see begin_write): it takes the write lock up
    # front, so writers queue instead of failing when a read lock would have to be upgraded.
    if conn.dialect.name == "sqlite":
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def begin_write() -> None:
    """Start the transaction of one business action that writes.

    Ends any read transaction the request had open, then begins anew: on SQLite with the
    write lock taken at once; on PostgreSQL an ordinary transaction (rows are locked as used).
    """
    db.session.commit()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def read_outside_a_transaction() -> None:
    """Let the request's next reads run in autocommit, on PostgreSQL: no BEGIN and no ROLLBACK
    round trips, each statement reading what is committed when it runs.

    For reads that decide nothing together: a page's render (keyed by versions read before it)
    or checkout's cheap refusals. Does nothing once the request has a transaction open, and on
    SQLite. A later begin_write() (or commit) hands the connection back, and the write gets an
    ordinary transaction.
    """
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
