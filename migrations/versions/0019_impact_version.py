"""the programme's figures get their own cache version

Revision ID: 0019_impact_version
Revises: 0018_cache_versions
Create Date: 2026-11-26 06:30:00

Payments, attendance and imported baselines moved the lists' version (catalog_version row 1),
so every catalogue page dropped from the cache at each paid order, though no card shows
income. Row 3 is the version of the programme's figures (people trained, income), which the
home, programme and maker pages show beside the lists.
"""
from alembic import op


revision = '0019_impact_version'
down_revision = '0018_cache_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO catalog_version (id, version) VALUES (3, 0)")


def downgrade():
    op.execute("DELETE FROM catalog_version WHERE id = 3")
