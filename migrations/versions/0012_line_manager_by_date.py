"""Line managers by date: each person period carries the line manager of its days

A closed year's people export names the line manager of the year's reference day, so a change of
line manager recorded later never rewrites it. Periods already there take today's line manager,
the only one the database knew.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person_period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_manager_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_person_period_line_manager_id_person'), 'person',
                                    ['line_manager_id'], ['id'])
    op.execute("UPDATE person_period SET line_manager_id = "
               "(SELECT person.line_manager_id FROM person WHERE person.id = person_period.person_id)")


def downgrade():
    with op.batch_alter_table('person_period', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_period_line_manager_id_person'), type_='foreignkey')
        batch_op.drop_column('line_manager_id')
