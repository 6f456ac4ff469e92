"""an organisation may ask not to be named in the insights' rankings of connections

Revision ID: c3e7a1d9b5f2
Revises: a8d5c2f6b4e1
Create Date: 2026-12-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e7a1d9b5f2'
down_revision = 'a8d5c2f6b4e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unnamed_in_insights', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('unnamed_in_insights')
