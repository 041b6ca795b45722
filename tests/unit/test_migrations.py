"""The schema comes only from migrations: the models must agree with them exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from shop.extensions import db, include_object


def schema_differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    assert schema_differences() == []


def test_the_comparison_notices_a_model_the_migrations_lack(app):
    """Proof that the check above can fail: a table only in the models is reported."""
    import sqlalchemy as sa

    extra = sa.Table("not_migrated", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        kinds = [diff[0] for diff in schema_differences()]
    finally:
        db.metadata.remove(extra)
    assert kinds == ["add_table"]


def test_migrations_go_down_and_up_again(app):
    db.session.remove()
    downgrade(revision="base")
    upgrade()
    assert schema_differences() == []
    # the cache-version row is made by the migration itself
    assert db.session.execute(db.text("SELECT version FROM catalog_version WHERE id = 1")).scalar() == 0
