"""The behaviour lines each person evidenced per year, kept for behaviour coverage

Behaviour coverage joined every signed-off activity of everyone in scope to its behaviours on each
request (334 of a 10,551-person directorate dashboard's 481 ms on PostgreSQL). person_year_line
keeps each person's evidenced lines per year beside their figures (tracker.figures.kept_lines).

The table starts empty and every year already kept is marked for a rebuild (figures_rebuild): until
the worker's task or `flask figures rebuild --marked` fills it, pages read those years from the
activities and say the figures are being updated. So this migration runs no application code.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-01 01:15:00
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_year_line',
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_year_line_person_id_person')),
    sa.PrimaryKeyConstraint('start_year', 'person_id', 'line', name=op.f('pk_person_year_line'))
    )
    connection = op.get_bind()
    kept = connection.execute(sa.text("SELECT DISTINCT start_year FROM person_year_figures")).scalars().all()
    marked = set(connection.execute(sa.text("SELECT start_year FROM figures_rebuild")).scalars().all())
    now = datetime.now(timezone.utc)
    for start_year in sorted(set(kept) - marked):
        connection.execute(sa.text("INSERT INTO figures_rebuild (start_year, asked_at) VALUES (:year, :now)"),
                           {"year": start_year, "now": now})


def downgrade():
    op.drop_table('person_year_line')
