"""contact requests, and the contact details people share

Revision ID: d5a1f8c4e2b7
Revises: c2d9e7f3a8b4
Create Date: 2026-11-23 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a1f8c4e2b7'
down_revision = 'c2d9e7f3a8b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contact_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sender_org_id', sa.Integer(), nullable=False),
        sa.Column('sender_user_id', sa.Integer(), nullable=True),
        sa.Column('recipient_org_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('sender_contact_ids', sa.JSON(), nullable=False),
        sa.Column('recipient_contact_ids', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recipient_read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('exclusion_lifted', sa.Boolean(), nullable=False),
        sa.Column('open_key', sa.String(length=40), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')", name=op.f('ck_contact_request_status')),
        sa.CheckConstraint('sender_org_id <> recipient_org_id', name=op.f('ck_contact_request_not_to_itself')),
        sa.ForeignKeyConstraint(['answered_by'], ['user_account.id'], name=op.f('fk_contact_request_answered_by_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_contact_request_project_id_project'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recipient_org_id'], ['organisation.id'], name=op.f('fk_contact_request_recipient_org_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_org_id'], ['organisation.id'], name=op.f('fk_contact_request_sender_org_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_user_id'], ['user_account.id'], name=op.f('fk_contact_request_sender_user_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_request')),
        sa.UniqueConstraint('open_key', name=op.f('uq_contact_request_open_key')),
    )
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.create_index('ix_contact_request_recipient_status', ['recipient_org_id', 'status'], unique=False)
        batch_op.create_index('ix_contact_request_sender_created', ['sender_org_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_request_sender_user_id'), ['sender_user_id'], unique=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_title', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('share_name', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('share_job_title', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('share_email', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('share_phone', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for column in ('share_phone', 'share_email', 'share_job_title', 'share_name', 'phone', 'job_title'):
            batch_op.drop_column(column)
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_request_sender_user_id'))
        batch_op.drop_index('ix_contact_request_sender_created')
        batch_op.drop_index('ix_contact_request_recipient_status')
    op.drop_table('contact_request')
