"""Observed practice as a fact of the activity: `activity.observed`, filled from the answered requests

A closed year's count of signed-off activities with observed practice must read the same after a
person is erased, and erasure removes the observers' feedback (the requests); the activity row it
keeps now carries the fact. Existing rows are filled from the answered requests they have.

Revision ID: 0032
Revises: 0029
Create Date: 2026-11-30 17:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('observed', sa.Boolean(), server_default='0', nullable=False))
    op.execute("UPDATE activity SET observed = true WHERE id IN "
               "(SELECT activity_id FROM observation_request WHERE status = 'answered')")


def downgrade():
    # Not a batch: SQLite would rebuild the table by dropping it, which the requests referring to it refuse.
    op.drop_column('activity', 'observed')
