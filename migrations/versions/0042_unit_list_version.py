"""A token that changes with the list of units

The report filter lists every unit; a process keeps that list until a unit is added, renamed or
removed, which writes a new random token here (tracker.unit_list).

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-01 14:20:00
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'unit_list_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_list_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('unit_list_version')
