"""meetings: opportunities posted for an event, bookmarks on participants

Revision ID: d7a3b5c9e1f2
Revises: c4f1e2a7b9d0
Create Date: 2026-12-06 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3b5c9e1f2'
down_revision = 'c4f1e2a7b9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_opportunity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('technology_offer', 'business_offer', 'technology_request', 'business_request', 'rnd_partner')", name=op.f('ck_meeting_opportunity_kind')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_meeting_opportunity_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_opportunity_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_opportunity'))
    )
    with op.batch_alter_table('meeting_opportunity', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_opportunity_event_user', ['event_id', 'user_id'], unique=False)

    op.create_table('meeting_bookmark',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_meeting_bookmark_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['user_account.id'], name=op.f('fk_meeting_bookmark_target_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_bookmark_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', 'target_id', name=op.f('pk_meeting_bookmark'))
    )


def downgrade():
    op.drop_table('meeting_bookmark')
    with op.batch_alter_table('meeting_opportunity', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_opportunity_event_user')
    op.drop_table('meeting_opportunity')
