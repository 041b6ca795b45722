"""cache versions as narrow as the change: one per product, one per centre, a list and a site version

Revision ID: 0018_cache_versions
Revises: 0017_workshops
Create Date: 2026-11-26 02:30:00

A stock or price change to one product used to move the one catalogue version and drop every
cached page. Now a product's page and a centre's page each have their own counter in
page_version ("product:<id>", "centre:<id>"; a missing row is version 0), moved in the same
transaction as a change to them (shop/models/catalog.py). catalog_version row 1 stays the
version of the lists (catalogue, home, sitemap); row 2 is the site version (centres and
categories, which every page shows).
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_cache_versions'
down_revision = '0017_workshops'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_version',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_page_version'))
    )
    op.execute("INSERT INTO catalog_version (id, version) VALUES (2, 0)")


def downgrade():
    op.execute("DELETE FROM catalog_version WHERE id = 2")
    op.drop_table('page_version')
