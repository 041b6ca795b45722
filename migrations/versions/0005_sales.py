"""sales ledger, daily rollup, offline sales, api tokens

Revision ID: 0005_sales
Revises: 0004_stripe
Create Date: 2026-11-25 13:13:59.744822

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_sales'
down_revision = '0004_stripe'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('revenue_satang', sa.Integer(), nullable=False),
    sa.Column('shipping_satang', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_sales_daily_centre_id_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_daily')),
    sa.UniqueConstraint('day', 'centre_id', 'channel', name='uq_sales_daily_day_centre_channel')
    )
    with op.batch_alter_table('sales_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_daily_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_daily_day'), ['day'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('offline_sale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('amount_satang', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_offline_sale_centre_id_centre')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_offline_sale_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_sale'))
    )
    with op.batch_alter_table('offline_sale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_sale_centre_id'), ['centre_id'], unique=False)

    op.create_table('sales_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('offline_sale_id', sa.Integer(), nullable=True),
    sa.Column('amount_satang', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_sales_entry_category_id_category')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_sales_entry_centre_id_centre')),
    sa.ForeignKeyConstraint(['offline_sale_id'], ['offline_sale.id'], name=op.f('fk_sales_entry_offline_sale_id_offline_sale')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_sales_entry_order_id_shop_order')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_sales_entry_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_sales_entry_product_id_product')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_sales_entry_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_entry'))
    )
    with op.batch_alter_table('sales_entry', schema=None) as batch_op:
        batch_op.create_index('ix_sales_entry_day_centre', ['day', 'centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_entry_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_sales_entry_order_line', ['order_line_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sales_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_entry_order_line')
        batch_op.drop_index(batch_op.f('ix_sales_entry_order_id'))
        batch_op.drop_index('ix_sales_entry_day_centre')

    op.drop_table('sales_entry')
    with op.batch_alter_table('offline_sale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_sale_centre_id'))

    op.drop_table('offline_sale')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('sales_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_daily_day'))
        batch_op.drop_index(batch_op.f('ix_sales_daily_centre_id'))

    op.drop_table('sales_daily')
