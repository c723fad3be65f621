"""The framework version of each appraisal year, and the lines behaviours follow across versions

Each year names its framework (year_framework, applying from from_year on); a database that holds
a current framework gets a row from the start (from_year 0) naming it, so every year is measured
as before. behaviour.lineage_id ties a behaviour's versions together: the existing versions are
matched by code, oldest first, as an import matches them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 08:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER and CREATE INDEX, not a batch: rebuilding the behaviour table on SQLite would
    # trip the foreign keys of the activities that point at it.
    op.add_column('behaviour', sa.Column('lineage_id', sa.Integer(), nullable=True))
    _match_lines_by_code()
    op.create_index('uq_behaviour_framework_lineage', 'behaviour', ['framework_id', 'lineage_id'], unique=True)

    op.create_table('year_framework',
    sa.Column('from_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_year_framework_framework_id_framework')),
    sa.ForeignKeyConstraint(['set_by_id'], ['person.id'], name=op.f('fk_year_framework_set_by_id_person')),
    sa.PrimaryKeyConstraint('from_year', name=op.f('pk_year_framework'))
    )
    bind = op.get_bind()
    current = bind.execute(sa.text(
        "SELECT id FROM framework WHERE is_current = :yes ORDER BY id DESC"), {"yes": True}).first()
    if current is not None:
        from datetime import datetime, timezone

        year_framework = sa.table('year_framework', sa.column('from_year', sa.Integer()),
                                  sa.column('framework_id', sa.Integer()),
                                  sa.column('set_at', sa.DateTime(timezone=True)))
        op.bulk_insert(year_framework, [{"from_year": 0, "framework_id": current.id,
                                         "set_at": datetime.now(timezone.utc)}])


def _match_lines_by_code():
    """Each behaviour continues the line of the behaviour with its code in the version loaded
    before its own, else starts one (the table is small: a framework has tens of behaviours)."""
    bind = op.get_bind()
    frameworks = [row.id for row in bind.execute(sa.text("SELECT id FROM framework ORDER BY id"))]
    previous: dict[str, int] = {}
    for framework_id in frameworks:
        lines = {}
        for row in bind.execute(sa.text("SELECT id, code FROM behaviour WHERE framework_id = :f ORDER BY id"),
                                {"f": framework_id}):
            lines[row.code] = previous.get(row.code, row.id)
            bind.execute(sa.text("UPDATE behaviour SET lineage_id = :l WHERE id = :i"),
                         {"l": lines[row.code], "i": row.id})
        previous = lines


def downgrade():
    op.drop_table('year_framework')
    op.drop_index('uq_behaviour_framework_lineage', table_name='behaviour')
    op.drop_column('behaviour', 'lineage_id')
