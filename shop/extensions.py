"""Flask extensions, created unbound here and bound to the app in create_app()."""
from flask_babel import Babel
from flask_caching import Cache
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
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
