"""Each team's place among the organisation report's lowest teams

The report ranked every team's counters on each request to list the lowest: 2.4 ms at 20,000 staff,
13.5 ms at 100,000 on SQLite. team_place keeps each team's place (percent complete in tenths, or
10,000 when nobody is expected) beside its counters (tracker.figures.team_place), indexed, so the
list reads its first few places. Filled here from the counters, with the same arithmetic.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-01 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None

# Written out, not imported: a migration keeps meaning what it meant when it was written.
_FILL = """
INSERT INTO team_place (start_year, team_id, place)
SELECT start_year, number,
       CASE WHEN people - exempt <= 0 THEN 10000
            ELSE (2000 * complete + (people - exempt)) / (2 * (people - exempt)) END
FROM (SELECT start_year, number, sum(n) AS people,
             sum(CASE WHEN status = 'complete' THEN n ELSE 0 END) AS complete,
             sum(CASE WHEN status = 'exempt' THEN n ELSE 0 END) AS exempt
      FROM counted_tally WHERE part = 0 AND stripe = 0
      GROUP BY start_year, number) AS teams
WHERE people != 0
"""


def upgrade():
    op.create_table(
        'team_place',
        sa.Column('start_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('place', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('start_year', 'team_id', name=op.f('pk_team_place')),
    )
    op.create_index('ix_team_place_place', 'team_place', ['start_year', 'place', 'team_id'], unique=False)
    op.execute(_FILL)


def downgrade():
    op.drop_index('ix_team_place_place', table_name='team_place')
    op.drop_table('team_place')
