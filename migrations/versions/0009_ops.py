"""maintenance switch (site_status)

Revision ID: 0009_ops
Revises: 0006_bigint_money
Create Date: 2026-11-26 09:00:00

One row that every worker and server reads: whether the storefront is closed for maintenance.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_ops'
down_revision = '0007_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('maintenance', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_site_status_changed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_status'))
    )


def downgrade():
    op.drop_table('site_status')
