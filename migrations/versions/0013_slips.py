"""transfer slips: a customer's slip picture per order, one bank reference per slip; slip_received

Revision ID: 0013_slips
Revises: 0012_gallery
Create Date: 2026-11-26 12:00:00

A customer who paid by PromptPay transfer uploads the bank's slip; its mini-QR gives the sending
bank and the transaction reference, unique across all orders (the same slip cannot pay twice).
The order waits in the new state slip_received until an admin confirms the money.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_slips'
down_revision = '0012_gallery'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('awaiting_payment', 'paid', 'cancelled', 'expired')"
NEW_STATUSES = "status IN ('awaiting_payment', 'slip_received', 'paid', 'cancelled', 'expired')"


def upgrade():
    op.create_table('payment_slip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('sending_bank', sa.String(length=3), nullable=False),
    sa.Column('transaction_ref', sa.String(length=64), nullable=False),
    sa.Column('verification', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_payment_slip_order_id_shop_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_slip')),
    sa.UniqueConstraint('sending_bank', 'transaction_ref', name='uq_payment_slip_bank_ref')
    )
    with op.batch_alter_table('payment_slip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_slip_order_id'), ['order_id'], unique=False)
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_shop_order_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_shop_order_status_known'), sa.text(NEW_STATUSES))


def downgrade():
    op.execute("UPDATE shop_order SET status = 'awaiting_payment' WHERE status = 'slip_received'")
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_shop_order_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_shop_order_status_known'), sa.text(OLD_STATUSES))
    with op.batch_alter_table('payment_slip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_slip_order_id'))
    op.drop_table('payment_slip')
