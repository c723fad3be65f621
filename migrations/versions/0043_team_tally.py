"""Each team's counted people by status, and its place among the lowest teams

The organisation report read every team's counters on each request, to rank the lowest teams
(2.4 ms at 20,000 staff, 13.5 ms at 100,000 on SQLite) and to sum the teams beneath each unit it
shows (11 ms at 100,000 on PostgreSQL). team_tally keeps one row per team with its people by status
and its place (percent complete in tenths, 10,000 when nobody is expected), written with the
counters (tracker.figures.team_tally). Filled here from the counters, with the same arithmetic.

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
INSERT INTO team_tally (start_year, team_id, not_started, in_progress, awaiting_sign_off, complete, exempt, place)
SELECT start_year, number, not_started, in_progress, awaiting_sign_off, complete, exempt,
       CASE WHEN people - exempt <= 0 THEN 10000
            ELSE (2000 * complete + (people - exempt)) / (2 * (people - exempt)) END
FROM (SELECT start_year, number, sum(n) AS people,
             sum(CASE WHEN status = 'not_started' THEN n ELSE 0 END) AS not_started,
             sum(CASE WHEN status = 'in_progress' THEN n ELSE 0 END) AS in_progress,
             sum(CASE WHEN status = 'awaiting_sign_off' THEN n ELSE 0 END) AS awaiting_sign_off,
             sum(CASE WHEN status = 'complete' THEN n ELSE 0 END) AS complete,
             sum(CASE WHEN status = 'exempt' THEN n ELSE 0 END) AS exempt
      FROM counted_tally WHERE part = 0 AND stripe = 0
      GROUP BY start_year, number) AS teams
WHERE people != 0
"""


def upgrade():
    op.create_table(
        'team_tally',
        sa.Column('start_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('not_started', sa.Integer(), nullable=False),
        sa.Column('in_progress', sa.Integer(), nullable=False),
        sa.Column('awaiting_sign_off', sa.Integer(), nullable=False),
        sa.Column('complete', sa.Integer(), nullable=False),
        sa.Column('exempt', sa.Integer(), nullable=False),
        sa.Column('place', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('start_year', 'team_id', name=op.f('pk_team_tally')),
    )
    op.create_index('ix_team_tally_place', 'team_tally', ['start_year', 'place', 'team_id'], unique=False)
    op.execute(_FILL)


def downgrade():
    op.drop_index('ix_team_tally_place', table_name='team_tally')
    op.drop_table('team_tally')
