"""users: when they logged in before this time (a member's "new since your last visit")

Revision ID: c3d9a1e7b5f2
Revises: b7e2a4c9d1f0
Create Date: 2026-12-07 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d9a1e7b5f2'
down_revision = 'b7e2a4c9d1f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_login_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('previous_login_at')
