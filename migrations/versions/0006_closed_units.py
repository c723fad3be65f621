"""Closed units: the first day a unit no longer existed

A closed unit's period and closure rows end the day before (tracker.organisation.close_unit), so
earlier years keep it; the column lets today's lists leave it out without reading the closure.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-30 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('organisation_unit', sa.Column('closed_on', sa.Date(), nullable=True))


def downgrade():
    # Not a batch (table copy) on SQLite: other tables' rows refer to organisation_unit.
    op.drop_column('organisation_unit', 'closed_on')
