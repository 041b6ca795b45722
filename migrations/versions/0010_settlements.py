"""settlements with the centres, receipts and credit notes, tax-invoice details, payment fees

Revision ID: 0010_settlements
Revises: 0007_sessions
Create Date: 2026-11-26 12:00:00

What the association owes each centre per period (statements frozen at closing, their lines,
payouts, commission rates with history); receipts and credit notes numbered per type and
Buddhist Era year by a counter row, with their PDFs stored once; the full-tax-invoice details
an organisation gives at checkout; and the fee a payment method charged (Stripe's).
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_settlements'
down_revision = '0009_ops'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_counter',
    sa.Column('doc_type', sa.String(length=2), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('doc_type', 'year', name=op.f('pk_document_counter'))
    )
    op.create_table('commission_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate_bp >= 0 AND rate_bp <= 10000', name=op.f('ck_commission_rate_rate_in_range')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_commission_rate_centre_id_centre')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_commission_rate_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_rate')),
    sa.UniqueConstraint('centre_id', 'effective_from', name='uq_commission_rate_centre_from')
    )
    with op.batch_alter_table('commission_rate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_rate_centre_id'), ['centre_id'], unique=False)

    op.create_table('settlement_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_settlement_period_closed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_period')),
    sa.UniqueConstraint('starts_on', name=op.f('uq_settlement_period_starts_on'))
    )
    op.create_table('settlement_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('centre_name_th', sa.String(length=200), nullable=False),
    sa.Column('centre_name_en', sa.String(length=200), nullable=False),
    sa.Column('gross_satang', sa.BigInteger(), nullable=False),
    sa.Column('refunds_satang', sa.BigInteger(), nullable=False),
    sa.Column('fees_satang', sa.BigInteger(), nullable=False),
    sa.Column('commission_satang', sa.BigInteger(), nullable=False),
    sa.Column('shipping_satang', sa.BigInteger(), nullable=False),
    sa.Column('payable_satang', sa.BigInteger(), nullable=False),
    sa.Column('offline_satang', sa.BigInteger(), nullable=False),
    sa.Column('baseline_satang', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_settlement_statement_centre_id_centre')),
    sa.ForeignKeyConstraint(['period_id'], ['settlement_period.id'], name=op.f('fk_settlement_statement_period_id_settlement_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_statement')),
    sa.UniqueConstraint('period_id', 'centre_id', name='uq_settlement_statement_period_centre')
    )
    with op.batch_alter_table('settlement_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_statement_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_statement_period_id'), ['period_id'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('vat_satang', sa.BigInteger(), nullable=False),
    sa.Column('seller_name', sa.String(length=300), nullable=False),
    sa.Column('seller_address', sa.Text(), nullable=False),
    sa.Column('seller_tax_id', sa.String(length=13), nullable=False),
    sa.Column('buyer_name', sa.String(length=300), nullable=False),
    sa.Column('buyer_address', sa.Text(), nullable=False),
    sa.Column('buyer_tax_id', sa.String(length=13), server_default='', nullable=False),
    sa.Column('buyer_branch', sa.String(length=5), server_default='', nullable=False),
    sa.CheckConstraint("doc_type IN ('RC', 'CN')", name=op.f('ck_document_type_known')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_document_order_id_shop_order')),
    sa.ForeignKeyConstraint(['receipt_id'], ['document.id'], name=op.f('fk_document_receipt_id_document')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_document_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('doc_type', 'year', 'sequence', name='uq_document_type_year_sequence'),
    sa.UniqueConstraint('number', name=op.f('uq_document_number')),
    sa.UniqueConstraint('refund_id', name=op.f('uq_document_refund_id'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_order_id'), ['order_id'], unique=False)

    op.create_table('settlement_payout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=False),
    sa.Column('proof_filename', sa.String(length=100), server_default='', nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_satang > 0', name=op.f('ck_settlement_payout_amount_positive')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_settlement_payout_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['statement_id'], ['settlement_statement.id'], name=op.f('fk_settlement_payout_statement_id_settlement_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_payout'))
    )
    with op.batch_alter_table('settlement_payout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_payout_statement_id'), ['statement_id'], unique=False)

    op.create_table('document_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_file_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_file')),
    sa.UniqueConstraint('document_id', 'lang', name='uq_document_file_document_lang')
    )
    with op.batch_alter_table('document_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_file_document_id'), ['document_id'], unique=False)

    op.create_table('settlement_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('sales_entry_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_number', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('fee_satang', sa.BigInteger(), nullable=False),
    sa.Column('commission_rate_bp', sa.Integer(), nullable=False),
    sa.Column('commission_satang', sa.BigInteger(), nullable=False),
    sa.Column('adjustment', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_settlement_line_order_id_shop_order')),
    sa.ForeignKeyConstraint(['sales_entry_id'], ['sales_entry.id'], name=op.f('fk_settlement_line_sales_entry_id_sales_entry')),
    sa.ForeignKeyConstraint(['statement_id'], ['settlement_statement.id'], name=op.f('fk_settlement_line_statement_id_settlement_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_line')),
    sa.UniqueConstraint('sales_entry_id', name=op.f('uq_settlement_line_sales_entry_id'))
    )
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_line_statement_id'), ['statement_id'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_satang', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('invoice_address', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('invoice_tax_id', sa.String(length=13), server_default='', nullable=False))
        batch_op.add_column(sa.Column('invoice_branch', sa.String(length=5), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('invoice_branch')
        batch_op.drop_column('invoice_tax_id')
        batch_op.drop_column('invoice_address')
        batch_op.drop_column('invoice_name')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('fee_satang')

    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_line_statement_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_line_order_id'))

    op.drop_table('settlement_line')
    with op.batch_alter_table('document_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_file_document_id'))

    op.drop_table('document_file')
    with op.batch_alter_table('settlement_payout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_payout_statement_id'))

    op.drop_table('settlement_payout')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_order_id'))

    op.drop_table('document')
    with op.batch_alter_table('settlement_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_statement_period_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_statement_centre_id'))

    op.drop_table('settlement_statement')
    op.drop_table('settlement_period')
    with op.batch_alter_table('commission_rate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_rate_centre_id'))

    op.drop_table('commission_rate')
    op.drop_table('document_counter')
