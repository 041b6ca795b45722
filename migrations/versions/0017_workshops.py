"""workshops and the makers: sessions as variants, attendance, maker groups, trained baselines

Revision ID: 0017_workshops
Revises: 0016_locations
Create Date: 2026-11-26 02:40:00

A product may be a workshop whose variants are its sessions (date, time, place; the seats are
the variant's stock). Staff mark who attended; attended seats count as people trained, with the
yearly baselines an admin imports. Products may name their maker group (a learner group or a
community enterprise). An order line that is a seat needs no parcel.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_workshops'
down_revision = '0016_locations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'maker_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('name_th', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('story_th', sa.Text(), nullable=False),
        sa.Column('story_en', sa.Text(), nullable=False),
        sa.Column('photo_filename', sa.String(length=200), server_default='', nullable=False),
        sa.Column('photo_thumb_filename', sa.String(length=200), server_default='', nullable=False),
        sa.Column('photo_alt_th', sa.String(length=300), server_default='', nullable=False),
        sa.Column('photo_alt_en', sa.String(length=300), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('learner_group', 'community_enterprise')", name=op.f('ck_maker_group_kind_known')),
        sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_maker_group_centre_id_centre')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_maker_group')),
        sa.UniqueConstraint('slug', name=op.f('uq_maker_group_slug')),
    )
    op.create_index(op.f('ix_maker_group_centre_id'), 'maker_group', ['centre_id'], unique=False)

    op.create_table(
        'workshop_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('variant_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('place_th', sa.String(length=300), nullable=False),
        sa.Column('place_en', sa.String(length=300), nullable=False),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_workshop_session_ends_after_start')),
        sa.ForeignKeyConstraint(['variant_id'], ['variant.id'], name=op.f('fk_workshop_session_variant_id_variant')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_session')),
        sa.UniqueConstraint('variant_id', name=op.f('uq_workshop_session_variant_id')),
    )
    op.create_index(op.f('ix_workshop_session_starts_at'), 'workshop_session', ['starts_at'], unique=False)

    op.create_table(
        'workshop_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_line_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('marked_by_id', sa.Integer(), nullable=True),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('people > 0', name=op.f('ck_workshop_attendance_people_positive')),
        sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_workshop_attendance_centre_id_centre')),
        sa.ForeignKeyConstraint(['marked_by_id'], ['user_account.id'], name=op.f('fk_workshop_attendance_marked_by_id_user_account')),
        sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_workshop_attendance_order_line_id_order_line')),
        sa.ForeignKeyConstraint(['session_id'], ['workshop_session.id'], name=op.f('fk_workshop_attendance_session_id_workshop_session')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_attendance')),
        sa.UniqueConstraint('order_line_id', name=op.f('uq_workshop_attendance_order_line_id')),
    )
    op.create_index(op.f('ix_workshop_attendance_centre_id'), 'workshop_attendance', ['centre_id'], unique=False)
    op.create_index(op.f('ix_workshop_attendance_session_id'), 'workshop_attendance', ['session_id'], unique=False)

    op.create_table(
        'trained_baseline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('people >= 0', name=op.f('ck_trained_baseline_people_not_negative')),
        sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_trained_baseline_centre_id_centre')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trained_baseline')),
        sa.UniqueConstraint('centre_id', 'year', name='uq_trained_baseline_centre_year'),
    )
    op.create_index(op.f('ix_trained_baseline_centre_id'), 'trained_baseline', ['centre_id'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='goods', nullable=False))
        batch_op.add_column(sa.Column('maker_group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_product_maker_group_id'), ['maker_group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_product_maker_group_id_maker_group'), 'maker_group', ['maker_group_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_product_kind_known'), "kind IN ('goods', 'workshop')")

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_parcel', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('no_parcel')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_product_kind_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_product_maker_group_id_maker_group'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_product_maker_group_id'))
        batch_op.drop_column('maker_group_id')
        batch_op.drop_column('kind')
    op.drop_index(op.f('ix_trained_baseline_centre_id'), table_name='trained_baseline')
    op.drop_table('trained_baseline')
    op.drop_index(op.f('ix_workshop_attendance_session_id'), table_name='workshop_attendance')
    op.drop_index(op.f('ix_workshop_attendance_centre_id'), table_name='workshop_attendance')
    op.drop_table('workshop_attendance')
    op.drop_index(op.f('ix_workshop_session_starts_at'), table_name='workshop_session')
    op.drop_table('workshop_session')
    op.drop_index(op.f('ix_maker_group_centre_id'), table_name='maker_group')
    op.drop_table('maker_group')
