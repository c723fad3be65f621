"""Sign-in lock-out: when a person's account was locked by wrong passwords and when last unlocked

Two nullable columns: existing people are neither locked nor unlocked.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _without_foreign_keys(alter):
    """Run `alter` (which rebuilds the person table on SQLite) with foreign keys off: SQLite
    rebuilds a table by dropping it, which rows referring to it would refuse (as in 0007)."""
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
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_in_locked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sign_in_unlocked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    def alter_person():
        with op.batch_alter_table('person', schema=None) as batch_op:
            batch_op.drop_column('sign_in_unlocked_at')
            batch_op.drop_column('sign_in_locked_at')
    _without_foreign_keys(alter_person)
