"""orders: accounts, carts, orders, shipments, payments, stock ledger

Revision ID: 0002_orders
Revises: 0001_catalogue
Create Date: 2026-11-25 12:19:03.879746

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_orders'
down_revision = '0001_catalogue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=True),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role != 'staff' OR centre_id IS NOT NULL", name=op.f('ck_user_account_staff_have_a_centre')),
    sa.CheckConstraint("role IN ('customer', 'staff', 'admin')", name=op.f('ck_user_account_role_known')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_user_account_centre_id_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_centre_id'), ['centre_id'], unique=False)

    op.create_table('cart',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_cart_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart')),
    sa.UniqueConstraint('user_id', name=op.f('uq_cart_user_id'))
    )
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_updated_at'), ['updated_at'], unique=False)

    op.create_table('shop_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('address_line', sa.String(length=300), nullable=False),
    sa.Column('subdistrict_code', sa.String(length=6), nullable=False),
    sa.Column('subdistrict', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('payment_method', sa.String(length=30), nullable=False),
    sa.Column('subtotal_satang', sa.Integer(), nullable=False),
    sa.Column('shipping_satang', sa.Integer(), nullable=False),
    sa.Column('total_satang', sa.Integer(), nullable=False),
    sa.Column('reserved_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attention', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('awaiting_payment', 'paid', 'cancelled', 'expired')", name=op.f('ck_shop_order_status_known')),
    sa.CheckConstraint('total_satang = subtotal_satang + shipping_satang', name=op.f('ck_shop_order_total_adds_up')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_shop_order_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_order')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_shop_order_idempotency_key')),
    sa.UniqueConstraint('number', name=op.f('uq_shop_order_number'))
    )
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_order_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_shop_order_status_reserved_until', ['status', 'reserved_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_order_user_id'), ['user_id'], unique=False)

    op.create_table('cart_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_cart_item_quantity_positive')),
    sa.ForeignKeyConstraint(['cart_id'], ['cart.id'], name=op.f('fk_cart_item_cart_id_cart'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_cart_item_variant_id_variant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_item')),
    sa.UniqueConstraint('cart_id', 'variant_id', name='uq_cart_item_cart_variant')
    )
    with op.batch_alter_table('cart_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_item_cart_id'), ['cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_item_variant_id'), ['variant_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('amount_satang', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_payment_order_id_shop_order')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_payment_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('method', 'reference', name='uq_payment_method_reference')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_order_id'), ['order_id'], unique=False)

    op.create_table('shipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('shipping_fee_satang', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=100), server_default='', nullable=False),
    sa.Column('tracking_number', sa.String(length=100), server_default='', nullable=False),
    sa.Column('packed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('to_pack', 'packed', 'shipped', 'delivered', 'cancelled')", name=op.f('ck_shipment_status_known')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_shipment_centre_id_centre')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_shipment_order_id_shop_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment')),
    sa.UniqueConstraint('order_id', 'centre_id', name='uq_shipment_order_centre')
    )
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_order_id'), ['order_id'], unique=False)

    op.create_table('stock_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('on_hand_delta', sa.Integer(), nullable=False),
    sa.Column('reserved_delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_stock_movement_order_id_shop_order')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_stock_movement_user_id_user_account')),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_stock_movement_variant_id_variant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movement'))
    )
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movement_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_variant_id'), ['variant_id'], unique=False)

    op.create_table('order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('product_name_th', sa.String(length=200), nullable=False),
    sa.Column('product_name_en', sa.String(length=200), nullable=False),
    sa.Column('variant_name_th', sa.String(length=200), nullable=False),
    sa.Column('variant_name_en', sa.String(length=200), nullable=False),
    sa.Column('unit_price_satang', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('line_total_satang', sa.Integer(), nullable=False),
    sa.CheckConstraint('line_total_satang = unit_price_satang * quantity', name=op.f('ck_order_line_total_adds_up')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_line_quantity_positive')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_order_line_centre_id_centre')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_order_line_order_id_shop_order')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_order_line_product_id_product')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipment.id'], name=op.f('fk_order_line_shipment_id_shipment')),
    sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_order_line_variant_id_variant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_line'))
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_variant_id'), ['variant_id'], unique=False)

    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_fee_satang', sa.Integer(), server_default='5000', nullable=False))
        batch_op.add_column(sa.Column('free_shipping_from_satang', sa.Integer(), nullable=True))

    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stock_reserved', sa.Integer(), server_default='0', nullable=False))


    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'reserved_within_stock', 'stock_reserved >= 0 AND stock_reserved <= stock_on_hand'
        )
    # The ledger starts with the stock that was already there, so it sums to stock on hand.
    op.execute(
        "INSERT INTO stock_movement (variant_id, on_hand_delta, reserved_delta, reason, note, created_at) "
        "SELECT id, stock_on_hand, 0, 'initial', 'stock before the ledger', CURRENT_TIMESTAMP "
        "FROM variant WHERE stock_on_hand <> 0"
    )

def downgrade():
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_variant_reserved_within_stock'), type_='check')
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_column('stock_reserved')

    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.drop_column('free_shipping_from_satang')
        batch_op.drop_column('shipping_fee_satang')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_variant_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_centre_id'))

    op.drop_table('order_line')
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movement_variant_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movement_order_id'))

    op.drop_table('stock_movement')
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipment_centre_id'))

    op.drop_table('shipment')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_order_id'))

    op.drop_table('payment')
    with op.batch_alter_table('cart_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_item_variant_id'))
        batch_op.drop_index(batch_op.f('ix_cart_item_cart_id'))

    op.drop_table('cart_item')
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_order_user_id'))
        batch_op.drop_index('ix_shop_order_status_reserved_until')
        batch_op.drop_index(batch_op.f('ix_shop_order_created_at'))

    op.drop_table('shop_order')
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_updated_at'))

    op.drop_table('cart')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_centre_id'))

    op.drop_table('user_account')
