"""events: a freed seat offered to the first in the queue, to confirm before a deadline

Revision ID: e6b3a9d4f2c8
Revises: d5a2f8c3e1b7
Create Date: 2026-12-08 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6b3a9d4f2c8'
down_revision = 'd5a2f8c3e1b7'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('confirmed', 'waiting', 'cancelled', 'removed')"
NEW_STATUSES = (
    "status IN ('confirmed', 'offered', 'waiting', 'cancelled', 'removed', 'lapsed')"
)


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('offer_hours', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.create_check_constraint(
            'offer_hours', 'offer_hours >= 0 AND offer_hours <= 168'
        )

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_registration_status'), type_='check')
        batch_op.create_check_constraint('status', NEW_STATUSES)
        batch_op.create_check_constraint(
            'offer_deadline', "status <> 'offered' OR offer_expires_at IS NOT NULL"
        )
        batch_op.create_index(
            'ix_registration_status_offer_expires', ['status', 'offer_expires_at'], unique=False
        )


def downgrade():
    # Pending offers keep their seat as confirmed ones; lapsed offers read as cancelled.
    op.execute(
        "UPDATE registration SET status = 'confirmed', confirmed_at = offered_at "
        "WHERE status = 'offered'"
    )
    op.execute("UPDATE registration SET status = 'cancelled' WHERE status = 'lapsed'")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_status_offer_expires')
        batch_op.drop_constraint(batch_op.f('ck_registration_offer_deadline'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_registration_status'), type_='check')
        batch_op.create_check_constraint('status', OLD_STATUSES)
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('offer_expires_at')
        batch_op.drop_column('offered_at')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_event_offer_hours'), type_='check')
        batch_op.drop_column('offer_hours')
