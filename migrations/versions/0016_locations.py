"""locations: stock away from the home shelf (fair booths, department-store counters, partner shops)

Revision ID: 0016_locations
Revises: 0015_consent
Create Date: 2026-11-26 02:22:13

Each centre may keep stock at locations besides its home shelf (which the web shop sells from and
which stays on variant.stock_on_hand). Stock movements and sales-ledger entries name their
location; booth sales (idempotent per key) and consignment reports are recorded with their lines.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_locations'
down_revision = '0015_consent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('commission_bp', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('consignment', 'fair', 'partner_shop')", name=op.f('ck_location_kind_known')),
    sa.CheckConstraint('commission_bp >= 0 AND commission_bp <= 10000', name=op.f('ck_location_commission_in_range')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_location_dates_in_order')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_location_centre_id_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_centre_id'), ['centre_id'], unique=False)

    op.create_table('booth_sale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('payment_method', sa.String(length=20), nullable=False),
    sa.Column('total_satang', sa.BigInteger(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('receipt_number', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("payment_method IN ('cash', 'promptpay')", name=op.f('ck_booth_sale_payment_method_known')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_booth_sale_centre_id_centre')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_booth_sale_location_id_location')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_booth_sale_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booth_sale')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_booth_sale_idempotency_key')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_booth_sale_receipt_number'))
    )
    with op.batch_alter_table('booth_sale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booth_sale_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booth_sale_location_id'), ['location_id'], unique=False)

    op.create_table('consignment_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('gross_satang', sa.BigInteger(), nullable=False),
    sa.Column('commission_bp', sa.Integer(), nullable=False),
    sa.Column('commission_satang', sa.BigInteger(), nullable=False),
    sa.Column('owed_satang', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_consignment_report_period_in_order')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_consignment_report_centre_id_centre')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_consignment_report_location_id_location')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_consignment_report_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consignment_report')),
    sa.UniqueConstraint('location_id', 'period_start', 'period_end', name='uq_consignment_report_location_period')
    )
    with op.batch_alter_table('consignment_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consignment_report_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consignment_report_location_id'), ['location_id'], unique=False)

    op.create_table('booth_sale_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name_th', sa.String(length=400), nullable=False),
    sa.Column('name_en', sa.String(length=400), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_satang', sa.Integer(), nullable=False),
    sa.Column('line_total_satang', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_booth_sale_line_quantity_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_booth_sale_line_product_id_product')),
    sa.ForeignKeyConstraint(['sale_id'], ['booth_sale.id'], name=op.f('fk_booth_sale_line_sale_id_booth_sale')),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_booth_sale_line_variant_id_variant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booth_sale_line'))
    )
    with op.batch_alter_table('booth_sale_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booth_sale_line_sale_id'), ['sale_id'], unique=False)

    op.create_table('consignment_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_satang', sa.Integer(), nullable=False),
    sa.Column('line_total_satang', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_consignment_line_quantity_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_consignment_line_product_id_product')),
    sa.ForeignKeyConstraint(['report_id'], ['consignment_report.id'], name=op.f('fk_consignment_line_report_id_consignment_report')),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_consignment_line_variant_id_variant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consignment_line'))
    )
    with op.batch_alter_table('consignment_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consignment_line_report_id'), ['report_id'], unique=False)

    op.create_table('location_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_location_stock_on_hand_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_location_stock_location_id_location')),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_location_stock_variant_id_variant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location_stock')),
    sa.UniqueConstraint('location_id', 'variant_id', name='uq_location_stock_location_variant')
    )
    with op.batch_alter_table('location_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_stock_variant_id'), ['variant_id'], unique=False)

    with op.batch_alter_table('sales_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('booth_sale_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consignment_report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sales_entry_booth_sale_id'), ['booth_sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_entry_consignment_report_id'), ['consignment_report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_entry_location_id'), ['location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sales_entry_booth_sale_id_booth_sale'), 'booth_sale', ['booth_sale_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_sales_entry_consignment_report_id_consignment_report'), 'consignment_report',
                                    ['consignment_report_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_sales_entry_location_id_location'), 'location', ['location_id'], ['id'])

    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stock_movement_location_id'), ['location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_stock_movement_location_id_location'), 'location', ['location_id'], ['id'])



def downgrade():
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stock_movement_location_id_location'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stock_movement_location_id'))
        batch_op.drop_column('location_id')

    with op.batch_alter_table('sales_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sales_entry_location_id_location'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sales_entry_consignment_report_id_consignment_report'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sales_entry_booth_sale_id_booth_sale'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sales_entry_location_id'))
        batch_op.drop_index(batch_op.f('ix_sales_entry_consignment_report_id'))
        batch_op.drop_index(batch_op.f('ix_sales_entry_booth_sale_id'))
        batch_op.drop_column('consignment_report_id')
        batch_op.drop_column('booth_sale_id')
        batch_op.drop_column('location_id')

    with op.batch_alter_table('location_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_stock_variant_id'))

    op.drop_table('location_stock')
    with op.batch_alter_table('consignment_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consignment_line_report_id'))

    op.drop_table('consignment_line')
    with op.batch_alter_table('booth_sale_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booth_sale_line_sale_id'))

    op.drop_table('booth_sale_line')
    with op.batch_alter_table('consignment_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consignment_report_location_id'))
        batch_op.drop_index(batch_op.f('ix_consignment_report_centre_id'))

    op.drop_table('consignment_report')
    with op.batch_alter_table('booth_sale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booth_sale_location_id'))
        batch_op.drop_index(batch_op.f('ix_booth_sale_centre_id'))

    op.drop_table('booth_sale')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_centre_id'))

    op.drop_table('location')
