"""Activities carry the key of the form that created them: a retried form creates no second one

Activities already there have no key (NULL), which the unique index allows any number of.

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-30 11:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # A new nullable column and an index: no table rebuild, on SQLite either.
    op.add_column('activity', sa.Column('creation_key', sa.String(length=64), nullable=True))
    op.create_index('ix_activity_owner_creation_key', 'activity', ['owner_id', 'creation_key'], unique=True)


def downgrade():
    op.drop_index('ix_activity_owner_creation_key', table_name='activity')
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_column('activity', 'creation_key')
        return
    # SQLite drops a column by rebuilding the table, which the rows referring to activities would
    # refuse with foreign keys on; the pragma only takes effect outside a transaction.
    op.execute('COMMIT')
    op.execute('PRAGMA foreign_keys=OFF')
    op.execute('BEGIN')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('creation_key')
    op.execute('COMMIT')
    op.execute('PRAGMA foreign_keys=ON')
    op.execute('BEGIN')
