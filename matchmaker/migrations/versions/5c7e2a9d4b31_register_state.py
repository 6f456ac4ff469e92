"""register state: a token that changes with every change to the public register

Revision ID: 5c7e2a9d4b31
Revises: a4d49dfcc825
Create Date: 2026-11-23 12:00:00

Each process keeps an in-memory index of the register (matchmaker.register.index) and
rebuilds it when this token differs from the one it was built at.

Search documents are renumbered so that an id tells its entry (id >> 2, see
matchmaker.register.models.document_id); on SQLite the FTS5 triggers follow the update.
"""
from alembic import op
import sqlalchemy as sa


revision = '5c7e2a9d4b31'
down_revision = 'a4d49dfcc825'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'register_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_register_state')),
    )
    # Two steps (through negative ids), so no new id meets an old one on the way.
    op.execute(
        "UPDATE search_document SET id = -(entry_id * 4"
        " + CASE lang WHEN 'pl' THEN 0 WHEN 'en' THEN 1 WHEN 'da' THEN 2 ELSE 3 END)"
    )
    op.execute("UPDATE search_document SET id = -id")


def downgrade():
    op.drop_table('register_state')
