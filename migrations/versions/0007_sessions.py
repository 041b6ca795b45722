"""sessions that end on the server, and sign-in lock-outs kept in the database

Revision ID: 0007_sessions
Revises: 0006_bigint_money
Create Date: 2026-11-26 09:00:00

A copied session cookie outlived sign-out, and sign-in limits were counted in each worker's
memory. Each person now has a session generation (carried in the cookie, moved on at sign-out,
a new password or a disabled account) and a count of failed sign-ins with a lock-out time.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_sessions'
down_revision = '0006_bigint_money'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('session_generation')
