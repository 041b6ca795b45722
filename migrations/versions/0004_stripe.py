"""stripe: payment attempts, provider events, refunds

Revision ID: 0004_stripe
Revises: 0003_backoffice
Create Date: 2026-11-25 13:00:20.447594

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_stripe'
down_revision = '0003_backoffice'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_event',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_event'))
    )
    op.create_table('payment_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('attempt_no', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('amount_satang', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_payment_attempt_order_id_shop_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_attempt')),
    sa.UniqueConstraint('order_id', 'attempt_no', name='uq_payment_attempt_order_attempt'),
    sa.UniqueConstraint('session_id', name=op.f('uq_payment_attempt_session_id'))
    )
    with op.batch_alter_table('payment_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_attempt_order_id'), ['order_id'], unique=False)

    op.create_table('refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('amount_satang', sa.Integer(), nullable=False),
    sa.Column('shipping_satang', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_refund_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_refund_order_id_shop_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund')),
    sa.UniqueConstraint('reference', name=op.f('uq_refund_reference'))
    )
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_order_id'), ['order_id'], unique=False)

    op.create_table('refund_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount_satang', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_refund_line_centre_id_centre')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_refund_line_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_refund_line_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_line'))
    )
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_line_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_line_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_line_refund_id'), ['refund_id'], unique=False)



def downgrade():
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_line_refund_id'))
        batch_op.drop_index(batch_op.f('ix_refund_line_order_line_id'))
        batch_op.drop_index(batch_op.f('ix_refund_line_centre_id'))

    op.drop_table('refund_line')
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_order_id'))
        batch_op.drop_index(batch_op.f('ix_refund_created_at'))

    op.drop_table('refund')
    with op.batch_alter_table('payment_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_attempt_order_id'))

    op.drop_table('payment_attempt')
    op.drop_table('provider_event')
