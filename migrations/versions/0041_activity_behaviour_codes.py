"""Each activity's behaviour codes kept on the activity

The activities export gathered every activity's codes from the link table as it ran: a third of its
query on SQLite. The codes are now a column, kept by tracker.activity_codes; this fills it for the
activities already there, in the order that module keeps (codes sorted as text, by code point).

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-01 13:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None

FILL = {
    "postgresql": """UPDATE activity SET behaviour_codes = (
        SELECT string_agg(b.code, '; ' ORDER BY b.code COLLATE "C") FROM activity_behaviour ab
        JOIN behaviour b ON b.id = ab.behaviour_id WHERE ab.activity_id = activity.id)""",
    "sqlite": """UPDATE activity SET behaviour_codes = (
        SELECT group_concat(code, '; ') FROM (SELECT b.code AS code FROM activity_behaviour ab
        JOIN behaviour b ON b.id = ab.behaviour_id WHERE ab.activity_id = activity.id ORDER BY b.code))""",
}


def upgrade():
    op.add_column('activity', sa.Column('behaviour_codes', sa.Text(), nullable=True))
    op.execute(FILL[op.get_bind().dialect.name])


def downgrade():
    # Not a batch: SQLite would rebuild the table by dropping it, which the rows referring to it refuse.
    op.drop_column('activity', 'behaviour_codes')
