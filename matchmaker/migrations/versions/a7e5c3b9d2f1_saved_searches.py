"""saved searches and the weekly digest setting

Revision ID: a7e5c3b9d2f1
Revises: f4c8d2e6a1b3
Create Date: 2026-11-23 16:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7e5c3b9d2f1'
down_revision = 'f4c8d2e6a1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_search',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('item_type', sa.String(length=20), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('query_key', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_search_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search')),
        sa.UniqueConstraint('user_id', 'query_key', name='uq_saved_search_query'),
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_weekly', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('digest_weekly')
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))
    op.drop_table('saved_search')
