"""events, registrations, calendar tokens

Revision ID: 7b7875f21071
Revises: e8b3c6d1f4a9
Create Date: 2026-11-23 18:19:44.895492

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b7875f21071'
down_revision = 'e8b3c6d1f4a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('original_language', sa.String(length=2), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('online_url', sa.String(length=300), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registration_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registration_closed', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('waiting_list', sa.Boolean(), nullable=False),
    sa.Column('max_per_organisation', sa.Integer(), nullable=True),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('audience_kinds', sa.JSON(), nullable=False),
    sa.Column('audience_countries', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('moderator_note', sa.Text(), nullable=True),
    sa.Column('cancel_note', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('study_visit', 'matchmaking', 'conference')", name=op.f('ck_event_kind')),
    sa.CheckConstraint("status IN ('draft', 'published', 'unpublished', 'cancelled')", name=op.f('ck_event_status')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_event_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_event_ends_after_start')),
    sa.CheckConstraint('max_per_organisation IS NULL OR max_per_organisation >= 1', name=op.f('ck_event_max_per_org')),
    sa.CheckConstraint('registration_deadline <= starts_at', name=op.f('ck_event_deadline_before_start')),
    sa.CheckConstraint('taken >= 0 AND taken <= capacity', name=op.f('ck_event_seats')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_event_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_event_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_event_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('event_host',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_host_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_event_host_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'organisation_id', name=op.f('pk_event_host'))
    )
    with op.batch_alter_table('event_host', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_host_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('event_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_message_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['user_account.id'], name=op.f('fk_event_message_sender_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_message'))
    )
    with op.batch_alter_table('event_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_message_event_id'), ['event_id'], unique=False)

    op.create_table('event_tag',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_tag_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_event_tag_tag_id_tag')),
    sa.PrimaryKeyConstraint('event_id', 'tag_id', 'role', name=op.f('pk_event_tag'))
    )
    with op.batch_alter_table('event_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_tag_tag_id'), ['tag_id'], unique=False)

    op.create_table('event_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('programme', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_text_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_text')),
    sa.UniqueConstraint('event_id', 'lang', name='uq_event_text_lang')
    )
    with op.batch_alter_table('event_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_text_event_id'), ['event_id'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ticket', sa.Integer(), nullable=False),
    sa.Column('active_key', sa.String(length=40), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('share_email', sa.Boolean(), nullable=False),
    sa.Column('share_phone', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('confirmed', 'waiting', 'cancelled', 'removed')", name=op.f('ck_registration_status')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_registration_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_registration_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('active_key', name=op.f('uq_registration_active_key'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_event_status_ticket', ['event_id', 'status', 'ticket'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_calendar_token'), ['calendar_token'])

    # Moderators' decisions on events go into the same audit log.
    with op.batch_alter_table('moderation_decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_moderation_decision_item_type'), type_='check')
        batch_op.create_check_constraint(
            'item_type', "item_type IN ('organisation', 'project', 'event')"
        )



def downgrade():
    op.execute("DELETE FROM moderation_decision WHERE item_type = 'event'")
    with op.batch_alter_table('moderation_decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_moderation_decision_item_type'), type_='check')
        batch_op.create_check_constraint('item_type', "item_type IN ('organisation', 'project')")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_user_id'))
        batch_op.drop_index(batch_op.f('ix_registration_organisation_id'))
        batch_op.drop_index('ix_registration_event_status_ticket')

    op.drop_table('registration')
    with op.batch_alter_table('event_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_text_event_id'))

    op.drop_table('event_text')
    with op.batch_alter_table('event_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_tag_tag_id'))

    op.drop_table('event_tag')
    with op.batch_alter_table('event_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_message_event_id'))

    op.drop_table('event_message')
    with op.batch_alter_table('event_host', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_host_organisation_id'))

    op.drop_table('event_host')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_status_starts')
        batch_op.drop_index(batch_op.f('ix_event_organisation_id'))

    op.drop_table('event')
