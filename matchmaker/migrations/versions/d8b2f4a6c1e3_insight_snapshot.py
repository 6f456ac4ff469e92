"""the worker's last count of the insights' connections, kept for every web process

Revision ID: d8b2f4a6c1e3
Revises: c3e7a1d9b5f2
Create Date: 2026-12-07 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8b2f4a6c1e3'
down_revision = 'c3e7a1d9b5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'insight_snapshot',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('register_token', sa.String(length=32), nullable=True),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade():
    op.drop_table('insight_snapshot')
