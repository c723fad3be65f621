"""Erased people: a person row keeps the day it was erased

An erased person's row stays, anonymous ("Erased person", no e-mail address, employee number or
password), so the closed years they counted in keep their figures; `erased_at` says it was erased.
People already there were never erased.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 11:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column: SQLite adds it in place, so the person table is not rebuilt.
    op.add_column('person', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite drops a column by rebuilding the table, which the rows referring to people would
    # refuse with foreign keys on; the pragma only takes effect outside a transaction.
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_column('person', 'erased_at')
        return
    op.execute('COMMIT')
    op.execute('PRAGMA foreign_keys=OFF')
    op.execute('BEGIN')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    op.execute('COMMIT')
    op.execute('PRAGMA foreign_keys=ON')
    op.execute('BEGIN')
