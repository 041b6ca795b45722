"""privacy consent: each order keeps when its buyer agreed to the privacy notice, and to which version

Revision ID: 0015_consent
Revises: 0014_message_flags
Create Date: 2026-11-26 02:30:00

Thailand's PDPA: the checkout asks the buyer to agree to the privacy notice; the order stores
the time of that consent and the notice's version. Orders placed before have neither.
Centres get a postal address (Thai and English): the sender on their packing slips.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_consent'
down_revision = '0014_message_flags'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_th', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('address_en', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('privacy_notice_version', sa.String(length=20), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice_version')
        batch_op.drop_column('privacy_consent_at')
    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.drop_column('address_en')
        batch_op.drop_column('address_th')
