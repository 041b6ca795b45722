"""catalogue: centres, categories, products, variants, images

Revision ID: 0001_catalogue
Revises:
Create Date: 2026-11-25 12:08:19.581871

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_catalogue'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalog_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version'))
    )
    op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('slug', name=op.f('uq_category_slug'))
    )
    op.create_table('centre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('province_th', sa.String(length=100), nullable=False),
    sa.Column('province_en', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=False),
    sa.Column('library_th', sa.String(length=200), nullable=False),
    sa.Column('library_en', sa.String(length=200), nullable=False),
    sa.Column('story_th', sa.Text(), nullable=False),
    sa.Column('story_en', sa.Text(), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('contact_line', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre')),
    sa.UniqueConstraint('slug', name=op.f('uq_centre_slug'))
    )
    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centre_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_centre_region'), ['region'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_th', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('maker_story_th', sa.Text(), nullable=False),
    sa.Column('maker_story_en', sa.Text(), nullable=False),
    sa.Column('otop', sa.Boolean(), nullable=False),
    sa.Column('otop_stars', sa.Integer(), nullable=True),
    sa.Column('featured', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'archived')", name=op.f('ck_product_status_known')),
    sa.CheckConstraint('otop_stars IS NULL OR (otop_stars BETWEEN 1 AND 5)', name=op.f('ck_product_otop_stars_range')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_product_category_id_category')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_product_centre_id_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('slug', name=op.f('uq_product_slug'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index('ix_product_status_created', ['status', 'created_at'], unique=False)

    op.create_table('product_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('thumb_filename', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt_th', sa.String(length=300), nullable=False),
    sa.Column('alt_en', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_image_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_image'))
    )
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_image_product_id'), ['product_id'], unique=False)

    op.create_table('variant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('price_satang', sa.Integer(), nullable=False),
    sa.Column('stock_on_hand', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('price_satang >= 0', name=op.f('ck_variant_price_not_negative')),
    sa.CheckConstraint('stock_on_hand >= 0', name=op.f('ck_variant_stock_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_variant_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variant')),
    sa.UniqueConstraint('sku', name=op.f('uq_variant_sku'))
    )
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variant_product_id'), ['product_id'], unique=False)



    # The one row whose counter keys the catalogue cache (see shop/caching.py).
    op.execute("INSERT INTO catalog_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        # Trigram index: LIKE '%word%' search over Thai and English without a full scan.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_product_search_text_trgm ON product USING gin (search_text gin_trgm_ops)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_product_search_text_trgm")
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variant_product_id'))

    op.drop_table('variant')
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_image_product_id'))

    op.drop_table('product_image')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_status_created')
        batch_op.drop_index(batch_op.f('ix_product_centre_id'))
        batch_op.drop_index(batch_op.f('ix_product_category_id'))

    op.drop_table('product')
    with op.batch_alter_table('centre', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centre_region'))
        batch_op.drop_index(batch_op.f('ix_centre_province_code'))

    op.drop_table('centre')
    op.drop_table('category')
    op.drop_table('catalog_version')
