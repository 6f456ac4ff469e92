"""register entries: ticket range, working languages and regions covered as columns

The matcher reads them for every published organisation when it builds its index;
reading them out of the snapshot JSON cost more than everything else together.

Revision ID: f4c8d2e6a1b3
Revises: e3b1f0c2a7d5
Create Date: 2026-11-23 15:20:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'f4c8d2e6a1b3'
down_revision = 'e3b1f0c2a7d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('register_entry') as batch_op:
        batch_op.add_column(sa.Column('ticket_min_eur', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('ticket_max_eur', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('working_languages', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('regions_covered', sa.JSON(), nullable=True))

    entry = sa.table(
        'register_entry',
        sa.column('id', sa.Integer),
        sa.column('item_type', sa.String),
        sa.column('snapshot', sa.JSON),
        sa.column('ticket_min_eur', sa.BigInteger),
        sa.column('ticket_max_eur', sa.BigInteger),
        sa.column('working_languages', sa.JSON),
        sa.column('regions_covered', sa.JSON),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(entry.c.id, entry.c.snapshot).where(entry.c.item_type == 'organisation')
    ).all()
    for entry_id, snapshot in rows:
        if isinstance(snapshot, str):
            snapshot = json.loads(snapshot)
        connection.execute(
            entry.update()
            .where(entry.c.id == entry_id)
            .values(
                ticket_min_eur=snapshot.get('ticket_min_eur'),
                ticket_max_eur=snapshot.get('ticket_max_eur'),
                working_languages=list(snapshot.get('working_languages') or []),
                regions_covered=list(snapshot.get('regions_covered') or []),
            )
        )


def downgrade():
    with op.batch_alter_table('register_entry') as batch_op:
        batch_op.drop_column('regions_covered')
        batch_op.drop_column('working_languages')
        batch_op.drop_column('ticket_max_eur')
        batch_op.drop_column('ticket_min_eur')
