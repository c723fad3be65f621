"""Enum columns held to their values by CHECK constraints; indexes that keep plans good without statistics

Activities lose their index on status alone: without planner statistics PostgreSQL took
"status = 'signed_off'" for a rare value and started the dashboards' plans from every signed-off
activity; pages reach activities through their owners. The waiting ones, looked up by status for
the sign-off queue, get a small partial index instead.

Every enum column stored as a plain string gains a CHECK listing its values (named as the models
name it: ck_<table>_<enum>), so a stray value is refused by the database rather than found by the
next page that loads the row. Rows already there hold valid values (the application only ever
wrote enum members); the upgrade checks that first and names any row that does not.

Revision ID: 0034
Revises: 0029
Create Date: 2026-11-30 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0032'
branch_labels = None
depends_on = None

STAFF_GROUPS = ('Add Prof Scientific and Technic', 'Additional Clinical Services', 'Administrative and Clerical',
                'Allied Health Professionals', 'Estates and Ancillary', 'Healthcare Scientists', 'Medical and Dental',
                'Nursing and Midwifery Registered', 'Students')

# (table, column, enum name, values): the values as the models have them at this revision.
CHECKS = (
    ('activity', 'status', 'activitystatus', ('draft', 'submitted', 'returned', 'signed_off')),
    ('activity', 'reflection_model', 'reflectionmodel', ('what_so_what', 'gibbs', 'revalidation')),
    ('exemption', 'reason', 'exemptionreason',
     ('long_term_absence', 'parental_leave', 'new_starter', 'secondment', 'other')),
    ('person', 'staff_group', 'staffgroup', STAFF_GROUPS),
    ('person_period', 'staff_group', 'staffgroup', STAFF_GROUPS),
    ('staff_group_tier', 'staff_group', 'staffgroup', STAFF_GROUPS),
    ('person_role', 'role', 'role', ('manager', 'education_lead', 'admin')),
    ('organisation_unit', 'kind', 'unitkind', ('organisation', 'directorate', 'care_group', 'team')),
    ('leadership_action', 'kind', 'leadershipactionkind',
     ('protected_time', 'team_session', 'debrief_or_schwartz', 'course_places', 'observation_arranged')),
    ('observation_request', 'status', 'observationstatus', ('sent', 'opened', 'answered', 'expired', 'cancelled')),
    ('observed_behaviour', 'seen', 'seenscale', ('not_seen', 'developing', 'consistent', 'role_model')),
)


def _in_list(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _without_foreign_keys(alter):
    """Run `alter` (which rebuilds tables on SQLite) with foreign keys off: SQLite rebuilds a table
    by dropping it, which rows referring to it would refuse (as in 0007 and 0018)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        alter()
        return
    op.execute('COMMIT')
    op.execute('PRAGMA foreign_keys=OFF')
    op.execute('BEGIN')
    alter()
    op.execute('COMMIT')
    op.execute('PRAGMA foreign_keys=ON')
    op.execute('BEGIN')


def upgrade():
    bind = op.get_bind()
    for table, column, _, values in CHECKS:
        stray = bind.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL AND NOT ({_in_list(column, values)})"
        )).scalars().all()
        if stray:
            raise RuntimeError(f"{table}.{column} holds values that are no member of its enum: {stray!r}")
    tables = {}
    for table, column, name, values in CHECKS:
        tables.setdefault(table, []).append((column, name, values))

    def add_checks():
        for table, checks in tables.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column, name, values in checks:
                    batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), _in_list(column, values))
    _without_foreign_keys(add_checks)
    op.drop_index('ix_activity_status', table_name='activity')
    op.create_index('ix_activity_submitted', 'activity', ['owner_id', 'occurred_on'], unique=False,
                    postgresql_where=sa.text("status = 'submitted' AND deleted_at IS NULL"),
                    sqlite_where=sa.text("status = 'submitted' AND deleted_at IS NULL"))


def downgrade():
    op.drop_index('ix_activity_submitted', table_name='activity')
    op.create_index('ix_activity_status', 'activity', ['status'], unique=False)
    tables = {}
    for table, _, name, _ in CHECKS:
        tables.setdefault(table, []).append(name)

    def drop_checks():
        for table, names in tables.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name in names:
                    batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
    _without_foreign_keys(drop_checks)
