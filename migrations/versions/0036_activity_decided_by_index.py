"""Activities indexed by who decided them and when, for the undo window

The sign-off queue lists the viewer's decisions of the last minutes that can still be undone
(decided_by_id = viewer and decided_at after a moment). With no index on either column both
databases read every activity of the organisation for it: 100 ms on PostgreSQL and 150 ms on SQLite
of a manager's queue at 100,000 staff.

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-30 22:00:00
"""
from alembic import op


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

NAME = 'ix_activity_decided_by'


def upgrade():
    op.create_index(NAME, 'activity', ['decided_by_id', 'decided_at'])


def downgrade():
    op.drop_index(NAME, table_name='activity')
