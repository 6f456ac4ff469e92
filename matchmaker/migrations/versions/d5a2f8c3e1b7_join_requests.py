"""organisations: requests to join, answered by an owner

Revision ID: d5a2f8c3e1b7
Revises: c3d9a1e7b5f2
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a2f8c3e1b7'
down_revision = 'c3d9a1e7b5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'join_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('pending_key', sa.String(length=40), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'withdrawn')", name=op.f('ck_join_request_status')),
        sa.ForeignKeyConstraint(['answered_by'], ['user_account.id'], name=op.f('fk_join_request_answered_by_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_join_request_organisation_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_join_request_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_join_request')),
        sa.UniqueConstraint('pending_key', name=op.f('uq_join_request_pending_key')),
    )
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.create_index('ix_join_request_organisation_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_join_request_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.drop_index('ix_join_request_user_created')
        batch_op.drop_index('ix_join_request_organisation_status')
    op.drop_table('join_request')
