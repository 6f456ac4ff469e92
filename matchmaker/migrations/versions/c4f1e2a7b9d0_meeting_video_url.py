"""meetings: a video-call address per meeting, given by one of the two people

Online events: it replaces the organiser's address pattern for that meeting.

Revision ID: c4f1e2a7b9d0
Revises: 196b3d435c39
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1e2a7b9d0'
down_revision = '196b3d435c39'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('video_url', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('video_url')
