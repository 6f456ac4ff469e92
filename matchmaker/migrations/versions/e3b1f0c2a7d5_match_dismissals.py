"""match dismissals: items an organisation marked as "not relevant" in its match lists

Revision ID: e3b1f0c2a7d5
Revises: 5c7e2a9d4b31
Create Date: 2026-11-23 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e3b1f0c2a7d5'
down_revision = '5c7e2a9d4b31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'match_dismissal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('item_type', sa.String(length=20), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('dismissed_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['dismissed_by'], ['user_account.id'], name=op.f('fk_match_dismissal_dismissed_by_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_match_dismissal_organisation_id_organisation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_dismissal')),
        sa.UniqueConstraint('organisation_id', 'item_type', 'item_id', name='uq_match_dismissal_item'),
    )
    with op.batch_alter_table('match_dismissal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_dismissal_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('match_dismissal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_dismissal_organisation_id'))
    op.drop_table('match_dismissal')
