"""Staff import: unit codes, people without an e-mail address, people who came from an import,
remembered headings and the tier of each staff group

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None



def _without_foreign_keys(alter):
    """Run `alter` (which rebuilds the person table on SQLite) with foreign keys off: SQLite
    rebuilds a table by dropping it, which rows referring to it would refuse, and the pragma
    only takes effect outside a transaction."""
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
    op.add_column('organisation_unit', sa.Column('code', sa.String(length=40), nullable=True))
    op.create_index('ix_organisation_unit_code', 'organisation_unit', ['code'], unique=True)

    def alter_person():
        with op.batch_alter_table('person', schema=None) as batch_op:
            batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
            batch_op.add_column(sa.Column('from_import', sa.Boolean(), server_default=sa.false(), nullable=False))
    _without_foreign_keys(alter_person)
    op.create_table('import_heading',
    sa.Column('heading', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('heading', name=op.f('pk_import_heading'))
    )
    op.create_table('staff_group_tier',
    sa.Column('staff_group', sa.Enum('Add Prof Scientific and Technic', 'Additional Clinical Services', 'Administrative and Clerical', 'Allied Health Professionals', 'Estates and Ancillary', 'Healthcare Scientists', 'Medical and Dental', 'Nursing and Midwifery Registered', 'Students', name='staffgroup', native_enum=False, length=60), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.CheckConstraint('tier in (1, 2, 3)', name=op.f('ck_staff_group_tier_tier_valid')),
    sa.PrimaryKeyConstraint('staff_group', name=op.f('pk_staff_group_tier'))
    )


def downgrade():
    op.drop_table('staff_group_tier')
    op.drop_table('import_heading')

    def alter_person():
        with op.batch_alter_table('person', schema=None) as batch_op:
            batch_op.drop_column('from_import')
            batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        op.drop_index('ix_organisation_unit_code', table_name='organisation_unit')
        with op.batch_alter_table('organisation_unit', schema=None) as batch_op:
            batch_op.drop_column('code')
    _without_foreign_keys(alter_person)
