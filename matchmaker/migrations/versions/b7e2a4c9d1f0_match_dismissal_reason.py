"""match dismissals: why an item is not relevant

Revision ID: b7e2a4c9d1f0
Revises: 9540d89721c0
Create Date: 2026-12-07 03:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2a4c9d1f0'
down_revision = '9540d89721c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_dismissal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('match_dismissal', schema=None) as batch_op:
        batch_op.drop_column('reason')
