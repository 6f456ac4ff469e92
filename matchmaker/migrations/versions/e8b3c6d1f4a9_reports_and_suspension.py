"""reports of contact requests, suspended accounts, e-mails turned off per kind

Revision ID: e8b3c6d1f4a9
Revises: d5a1f8c4e2b7
Create Date: 2026-11-23 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e8b3c6d1f4a9'
down_revision = 'd5a1f8c4e2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_reason', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('report_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reported_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('report_status', sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_request_report_status'), ['report_status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contact_request_reported_by_user_account'), 'user_account', ['reported_by'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('email_off', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_off')
        batch_op.drop_column('suspended_at')
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_request_reported_by_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contact_request_report_status'))
        batch_op.drop_column('report_status')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('reported_by')
        batch_op.drop_column('report_note')
        batch_op.drop_column('report_reason')
