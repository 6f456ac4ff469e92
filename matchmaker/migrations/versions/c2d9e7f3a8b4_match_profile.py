"""match_profile: the matcher's narrow copy of each register entry, tags as bit sets

Replaces the four columns f4c8d2e6a1b3 added to register_entry: reading them meant
reading every snapshot as well.

Revision ID: c2d9e7f3a8b4
Revises: a7e5c3b9d2f1
Create Date: 2026-11-23 15:50:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'c2d9e7f3a8b4'
down_revision = 'a7e5c3b9d2f1'
branch_labels = None
depends_on = None

ROLES = ('capability', 'need', 'category', 'specialisation', 'focus_area', 'preferred_stage', 'seeks')


def upgrade():
    op.create_table(
        'match_profile',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('item_type', sa.String(length=20), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('org_kind', sa.String(length=40), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('region', sa.String(length=10), nullable=True),
        sa.Column('stage', sa.String(length=40), nullable=True),
        sa.Column('funding_min_eur', sa.BigInteger(), nullable=True),
        sa.Column('funding_max_eur', sa.BigInteger(), nullable=True),
        sa.Column('ticket_min_eur', sa.BigInteger(), nullable=True),
        sa.Column('ticket_max_eur', sa.BigInteger(), nullable=True),
        sa.Column('languages', sa.String(length=200), nullable=False),
        sa.Column('regions_covered', sa.Text(), nullable=False),
        *(sa.Column(role, sa.BigInteger(), nullable=False) for role in ROLES),
        sa.ForeignKeyConstraint(['entry_id'], ['register_entry.id'], name=op.f('fk_match_profile_entry_id_register_entry'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_match_profile')),
    )
    _backfill()
    with op.batch_alter_table('register_entry') as batch_op:
        batch_op.drop_column('regions_covered')
        batch_op.drop_column('working_languages')
        batch_op.drop_column('ticket_max_eur')
        batch_op.drop_column('ticket_min_eur')


def _backfill():
    """Copy what publish() now writes for every entry already in the register."""
    connection = op.get_bind()
    bits, taken = {}, {}
    for tag_id, vocabulary in connection.execute(sa.text('SELECT id, vocabulary FROM tag ORDER BY id')):
        bits[tag_id] = taken.get(vocabulary, 0)
        taken[vocabulary] = bits[tag_id] + 1
    masks = {}
    for entry_id, role, tag_id in connection.execute(
        sa.text('SELECT entry_id, role, tag_id FROM register_entry_tag')
    ):
        if role in ROLES:
            key = (entry_id, role)
            masks[key] = masks.get(key, 0) | (1 << bits[tag_id])
    profile = sa.table(
        'match_profile',
        *(sa.column(name) for name in (
            'entry_id', 'item_type', 'item_id', 'organisation_id', 'org_kind', 'country',
            'region', 'stage', 'funding_min_eur', 'funding_max_eur', 'ticket_min_eur',
            'ticket_max_eur', 'languages', 'regions_covered', *ROLES,
        )),
    )
    rows = connection.execute(sa.text(
        'SELECT id, item_type, item_id, organisation_id, org_kind, country, region, stage, '
        'funding_min_eur, funding_max_eur, snapshot FROM register_entry'
    )).all()
    for (entry_id, item_type, item_id, organisation_id, org_kind, country, region, stage,
         funding_min, funding_max, snapshot) in rows:
        if isinstance(snapshot, str):
            snapshot = json.loads(snapshot)
        organisation = item_type == 'organisation'
        languages = (snapshot.get('working_languages') or []) if organisation else snapshot['texts']
        connection.execute(profile.insert().values(
            entry_id=entry_id, item_type=item_type, item_id=item_id,
            organisation_id=organisation_id, org_kind=org_kind, country=country,
            region=region, stage=None if organisation else stage,
            funding_min_eur=funding_min, funding_max_eur=funding_max,
            ticket_min_eur=snapshot.get('ticket_min_eur') if organisation else None,
            ticket_max_eur=snapshot.get('ticket_max_eur') if organisation else None,
            languages=' '.join(sorted(languages)),
            regions_covered=' '.join(sorted(snapshot.get('regions_covered') or [])),
            **{role: masks.get((entry_id, role), 0) for role in ROLES},
        ))


def downgrade():
    with op.batch_alter_table('register_entry') as batch_op:
        batch_op.add_column(sa.Column('ticket_min_eur', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('ticket_max_eur', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('working_languages', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('regions_covered', sa.JSON(), nullable=True))
    op.drop_table('match_profile')
