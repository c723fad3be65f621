"""A token that changes with the list of units

The report filter lists every unit; a process keeps that list until a unit is added, renamed or
removed, which writes a new random token here (tracker.unit_list). The table starts empty, so that
a database fresh from the migrations holds no rows (a restore needs that): until the first change
of a unit writes the row, pages read the units every time, as before.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-01 14:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_list_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_list_version')),
    )


def downgrade():
    op.drop_table('unit_list_version')
