"""Counters of the counted rows, for the whole organisation's report

The organisation report of everyone grouped counted_person, a row per person: at 100,000 staff it
cost 2.7 times as much as at 20,000. counted_tally keeps how many counted people share each team,
staff group, tier and month (tracker.figures.counted_tally), so the report adds up counters.

Counted years are forgotten here (their rows and days): the next report read counts each again,
rows and counters together. So this migration runs no application code.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-01 03:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counted_tally',
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('stripe', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('staff_group', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('exempt', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('start_year', 'part', 'stripe', 'number', 'staff_group', 'status', 'exempt',
                            name=op.f('pk_counted_tally'))
    )
    op.execute("DELETE FROM counted_person")
    op.execute("DELETE FROM counted_year")


def downgrade():
    op.drop_table('counted_tally')
