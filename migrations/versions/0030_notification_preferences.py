"""Notification settings: what each person chose to receive

One new table; a person without a row has the defaults (everything on, submissions one e-mail
each), so the people already there need no rows.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_preference',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('submissions', sa.String(length=20), nullable=False),
    sa.Column('decisions', sa.Boolean(), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('year_end_reminders', sa.Boolean(), nullable=False),
    sa.Column('weekly_digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_preference_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_notification_preference'))
    )


def downgrade():
    op.drop_table('notification_preference')
