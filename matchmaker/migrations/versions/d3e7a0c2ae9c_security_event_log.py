"""The security event log

Revision ID: d3e7a0c2ae9c
Revises: 98db9bed1026
Create Date: 2026-12-06 03:03:21.202312

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3e7a0c2ae9c'
down_revision = '98db9bed1026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_security_event_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_event'))
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_security_event_kind'))
        batch_op.drop_index(batch_op.f('ix_security_event_at'))

    op.drop_table('security_event')
