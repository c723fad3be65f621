"""The organisation as it was: person periods, unit periods and a dated unit closure

Everyone in post when this runs has been in post, in their team and tier of today, since
SINCE_EVER; every unit has had its name and parent since then. So every year's figures read as
they did before the upgrade (people who had left already stay out of every year, as before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:00
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SINCE_EVER = date(1900, 1, 1)


def _closure_table(dated: bool):
    key = ('ancestor_id', 'descendant_id', 'starts_on') if dated else ('ancestor_id', 'descendant_id')
    columns = [
        sa.Column('ancestor_id', sa.Integer(), nullable=False),
        sa.Column('descendant_id', sa.Integer(), nullable=False),
    ]
    if dated:
        columns += [sa.Column('starts_on', sa.Date(), nullable=False),
                    sa.Column('ends_on', sa.Date(), nullable=True)]
    columns.append(sa.Column('depth', sa.Integer(), nullable=False))
    table = op.create_table(
        'unit_closure', *columns,
        sa.ForeignKeyConstraint(['ancestor_id'], ['organisation_unit.id'],
                                name=op.f('fk_unit_closure_ancestor_id_organisation_unit')),
        sa.ForeignKeyConstraint(['descendant_id'], ['organisation_unit.id'],
                                name=op.f('fk_unit_closure_descendant_id_organisation_unit')),
        sa.PrimaryKeyConstraint(*key, name=op.f('pk_unit_closure')),
    )
    with op.batch_alter_table('unit_closure', schema=None) as batch_op:
        batch_op.create_index('ix_unit_closure_descendant', ['descendant_id', 'ancestor_id'], unique=False)
    return table


def _closure_rows(columns):
    """The closure rows, read before the table is rebuilt (its primary key widens, which SQLite
    cannot do in place)."""
    table = sa.table('unit_closure', *[sa.column(name) for name in columns])
    return [dict(row._mapping) for row in op.get_bind().execute(sa.select(table))]


def upgrade():
    op.create_table('person_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('staff_group', sa.Enum('Add Prof Scientific and Technic', 'Additional Clinical Services', 'Administrative and Clerical', 'Allied Health Professionals', 'Estates and Ancillary', 'Healthcare Scientists', 'Medical and Dental', 'Nursing and Midwifery Registered', 'Students', name='staffgroup', native_enum=False, length=60), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_period_person_id_person')),
    sa.ForeignKeyConstraint(['team_id'], ['organisation_unit.id'], name=op.f('fk_person_period_team_id_organisation_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_period'))
    )
    with op.batch_alter_table('person_period', schema=None) as batch_op:
        batch_op.create_index('ix_person_period_person', ['person_id', 'starts_on'], unique=False)
        batch_op.create_index('ix_person_period_team', ['team_id', 'starts_on'], unique=False)

    op.create_table('unit_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['organisation_unit.id'], name=op.f('fk_unit_period_parent_id_organisation_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['organisation_unit.id'], name=op.f('fk_unit_period_unit_id_organisation_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_period'))
    )
    with op.batch_alter_table('unit_period', schema=None) as batch_op:
        batch_op.create_index('ix_unit_period_unit', ['unit_id', 'starts_on'], unique=False)

    person = sa.table('person', sa.column('id'), sa.column('team_id'), sa.column('tier'),
                      sa.column('staff_group'), sa.column('active', sa.Boolean()))
    person_period = sa.table('person_period', sa.column('person_id'), sa.column('starts_on'), sa.column('team_id'),
                             sa.column('tier'), sa.column('staff_group'))
    op.execute(person_period.insert().from_select(
        ['person_id', 'starts_on', 'team_id', 'tier', 'staff_group'],
        sa.select(person.c.id, sa.literal(SINCE_EVER, sa.Date()), person.c.team_id, person.c.tier,
                  person.c.staff_group).where(person.c.active.is_(True))))
    unit = sa.table('organisation_unit', sa.column('id'), sa.column('name'), sa.column('parent_id'))
    unit_period = sa.table('unit_period', sa.column('unit_id'), sa.column('starts_on'), sa.column('name'),
                           sa.column('parent_id'))
    op.execute(unit_period.insert().from_select(
        ['unit_id', 'starts_on', 'name', 'parent_id'],
        sa.select(unit.c.id, sa.literal(SINCE_EVER, sa.Date()), unit.c.name, unit.c.parent_id)))

    rows = _closure_rows(('ancestor_id', 'descendant_id', 'depth'))
    op.drop_table('unit_closure')
    table = _closure_table(dated=True)
    if rows:
        op.bulk_insert(table, [{**row, "starts_on": SINCE_EVER, "ends_on": None} for row in rows])


def downgrade():
    # Back to today's tree only: the rows that still hold.
    rows = [row for row in _closure_rows(('ancestor_id', 'descendant_id', 'depth', 'ends_on'))
            if row.pop('ends_on') is None]
    op.drop_table('unit_closure')
    table = _closure_table(dated=False)
    if rows:
        op.bulk_insert(table, rows)
    with op.batch_alter_table('unit_period', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_period_unit')
    op.drop_table('unit_period')
    with op.batch_alter_table('person_period', schema=None) as batch_op:
        batch_op.drop_index('ix_person_period_team')
        batch_op.drop_index('ix_person_period_person')
    op.drop_table('person_period')
