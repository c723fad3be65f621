"""The roster's index on person periods holds every column the roster reads, so reading who was in
post on a day (everyone, or a scope's teams) never goes back to the table

The people-in-post query selects person, team, tier and staff group where starts_on <= day and
(ends_on is null or ends_on >= day). With the index (team_id, starts_on) SQLite read everyone by
skipping through it team by team and then fetched each row from the table, slower than a plain
scan; PostgreSQL fetched each row of a scope's teams from the table. The same index carrying
ends_on, person_id, tier and staff_group answers both from the index alone.

Revision ID: 0035
Revises: 0033
Create Date: 2026-11-30 19:00:00
"""
from alembic import op


revision = '0035'
down_revision = '0033'
branch_labels = None
depends_on = None

NAME = 'ix_person_period_team'


def upgrade():
    op.drop_index(NAME, table_name='person_period')
    op.create_index(NAME, 'person_period', ['team_id', 'starts_on', 'ends_on', 'person_id', 'tier', 'staff_group'])


def downgrade():
    op.drop_index(NAME, table_name='person_period')
    op.create_index(NAME, 'person_period', ['team_id', 'starts_on'])
