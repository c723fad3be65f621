"""Signed-off observed activities indexed by owner and date

The dashboards count the signed-off activities of the year that carry an answered observation,
for everyone in the viewer's scope. Read through the owner index, that visited every activity of
the scope's people: 60 ms of a 10,551-person directorate's dashboard on PostgreSQL at 100,000
staff. About one signed-off activity in eight is observed, and this partial index holds only those.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-01 07:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

NAME = 'ix_activity_observed_signed_off'
# SQLite stores booleans as 0 and 1, and matches a partial index only on the query's own words:
# SQLAlchemy writes "observed IS 1" there and "observed IS true" on PostgreSQL.
WHERE = {"postgresql": "observed IS true AND status = 'signed_off' AND deleted_at IS NULL",
         "sqlite": "observed IS 1 AND status = 'signed_off' AND deleted_at IS NULL"}


def upgrade():
    op.create_index(NAME, 'activity', ['owner_id', 'occurred_on'],
                    postgresql_where=sa.text(WHERE["postgresql"]), sqlite_where=sa.text(WHERE["sqlite"]))


def downgrade():
    op.drop_index(NAME, table_name='activity')
