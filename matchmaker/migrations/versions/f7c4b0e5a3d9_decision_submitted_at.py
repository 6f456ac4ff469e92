"""moderation decisions: when the decided version was submitted (how long reviews take)

Revision ID: f7c4b0e5a3d9
Revises: e6b3a9d4f2c8
Create Date: 2026-12-07 06:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7c4b0e5a3d9'
down_revision = 'e6b3a9d4f2c8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderation_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('moderation_decision', schema=None) as batch_op:
        batch_op.drop_column('submitted_at')
