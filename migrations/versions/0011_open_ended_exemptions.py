"""Open-ended exemptions: an exemption may be recorded without an end date

A manager who does not yet know when someone returns leaves the end blank; the exemption is in
force from its start onwards (tracker.counting.exemption_in_force) until it is ended.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 11:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Going back, an open-ended exemption keeps covering every later day: the furthest date there is.
NO_END = '9999-12-31'


def upgrade():
    # A table copy on SQLite; no other table refers to exemption, so its rows move as they are.
    with op.batch_alter_table('exemption', schema=None) as batch_op:
        batch_op.alter_column('ends_on', existing_type=sa.Date(), nullable=True)


def downgrade():
    op.execute(f"UPDATE exemption SET ends_on = '{NO_END}' WHERE ends_on IS NULL")
    with op.batch_alter_table('exemption', schema=None) as batch_op:
        batch_op.alter_column('ends_on', existing_type=sa.Date(), nullable=False)
