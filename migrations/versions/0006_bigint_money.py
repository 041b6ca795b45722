"""money sums and ledger amounts as BIGINT

Revision ID: 0006_bigint_money
Revises: 0005_sales
Create Date: 2026-11-25 22:30:00

A day's rollup for one centre and channel passed 2^31-1 satang (฿21,474,836.47) and every
later sale there failed. Amounts that add up (order totals, payments, refunds, the ledger and
its rollup) become 64-bit; unit prices and fees stay INTEGER, bounded where they are typed.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_bigint_money'
down_revision = '0005_sales'
branch_labels = None
depends_on = None

COLUMNS = {
    'shop_order': ['subtotal_satang', 'shipping_satang', 'total_satang'],
    'order_line': ['line_total_satang'],
    'payment': ['amount_satang'],
    'payment_attempt': ['amount_satang'],
    'refund': ['amount_satang', 'shipping_satang'],
    'refund_line': ['amount_satang'],
    'sales_entry': ['amount_satang'],
    'sales_daily': ['revenue_satang', 'shipping_satang'],
    'offline_sale': ['amount_satang'],
}


def _alter(old, new):
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=old, type_=new, existing_nullable=False)


def upgrade():
    _alter(sa.Integer(), sa.BigInteger())


def downgrade():
    _alter(sa.BigInteger(), sa.Integer())
