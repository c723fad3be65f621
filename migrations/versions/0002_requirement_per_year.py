"""The annual requirement and the compliance target per appraisal year

Each requirement rule applies from a year on (from_year); the rules a database already holds
apply from the start (from_year 0), so every year's figures stay as they were.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

RULE_COLUMNS = ("tier", "min_experiential_activities", "min_hours", "min_behaviours",
                "needs_leadership_behaviour", "updated_at")


def _rule_table(with_from_year: bool):
    columns = [sa.Column('from_year', sa.Integer(), autoincrement=False, nullable=False)] if with_from_year else []
    columns += [
        sa.Column('tier', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('min_experiential_activities', sa.Integer(), nullable=False),
        sa.Column('min_hours', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('min_behaviours', sa.Integer(), nullable=False),
        sa.Column('needs_leadership_behaviour', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    ]
    key = ('from_year', 'tier') if with_from_year else ('tier',)
    return op.create_table('requirement_rule', *columns,
                           sa.PrimaryKeyConstraint(*key, name=op.f('pk_requirement_rule')))


def _rows(columns):
    """The few rule rows, read before their table is rebuilt (a primary key cannot be widened in
    place on SQLite, and a rebuilt table must keep the constraint's conventional name)."""
    types = {"updated_at": sa.DateTime(timezone=True), "min_hours": sa.Numeric(6, 2),
             "needs_leadership_behaviour": sa.Boolean()}
    table = sa.table('requirement_rule', *[sa.column(name, types.get(name)) for name in columns])
    return [dict(row._mapping) for row in op.get_bind().execute(sa.select(table))]


def upgrade():
    rows = _rows(RULE_COLUMNS)
    op.drop_table('requirement_rule')
    table = _rule_table(with_from_year=True)
    if rows:
        op.bulk_insert(table, [{**row, "from_year": 0} for row in rows])
    op.create_table('compliance_target',
    sa.Column('from_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('amber_band', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_compliance_target_updated_by_id_person')),
    sa.PrimaryKeyConstraint('from_year', name=op.f('pk_compliance_target'))
    )


def downgrade():
    op.drop_table('compliance_target')
    # Back to one rule per tier: the latest of each tier is the one kept.
    rows = _rows(("from_year",) + RULE_COLUMNS)
    latest = {}
    for row in sorted(rows, key=lambda r: r["from_year"]):
        latest[row["tier"]] = {k: v for k, v in row.items() if k != "from_year"}
    op.drop_table('requirement_rule')
    table = _rule_table(with_from_year=False)
    if latest:
        op.bulk_insert(table, list(latest.values()))
