"""photo galleries: a photo may show one variant; widths made at upload (WebP and JPEG)

Revision ID: 0012_gallery
Revises: 0009_ops
Create Date: 2026-11-26 10:00:00

Products get galleries: several photos, each optionally showing one variant (a colour, a size),
in the order staff set, and each stored at several widths as WebP and JPEG for srcset.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_gallery'
down_revision = '0010_settlements'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('renditions', sa.JSON(), server_default='{}', nullable=False))
        batch_op.create_index(batch_op.f('ix_product_image_variant_id'), ['variant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_product_image_variant_id_variant'), 'variant', ['variant_id'], ['id'])


def downgrade():
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_image_variant_id_variant'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_product_image_variant_id'))
        batch_op.drop_column('renditions')
        batch_op.drop_column('variant_id')
