"""Where each person is counted in a year's figures, so reports group rows instead of deciding statuses

The organisation report decided every person's status on each request (their kept figures, the
roster and exemptions of the reference day, the rules): 450–520 ms at 100,000 staff and 2.4 s at
500,000. counted_person keeps the outcome per person and year, kept up to date in the transaction
of every change (tracker.figures.counted); counted_year says on which reference day. Both start
empty: a year is counted the first time a report reads it.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-01 00:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

# One per grouping the report makes, in its order (tracker.models.kept says what that saves).
INDEXES = {
    'ix_counted_person_team': ['start_year', 'team_id', 'status'],
    'ix_counted_person_staff_group': ['start_year', 'staff_group', 'status'],
    'ix_counted_person_tier': ['start_year', 'tier', 'status'],
    'ix_counted_person_month': ['start_year', 'complete_month', 'exempt'],
}
STATUSES = ('not_started', 'in_progress', 'awaiting_sign_off', 'complete', 'exempt')


def upgrade():
    op.create_table('counted_person',
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('staff_group', sa.Enum('Add Prof Scientific and Technic', 'Additional Clinical Services',
                                     'Administrative and Clerical', 'Allied Health Professionals',
                                     'Estates and Ancillary', 'Healthcare Scientists', 'Medical and Dental',
                                     'Nursing and Midwifery Registered', 'Students', name='staffgroup',
                                     native_enum=False, create_constraint=True, length=60), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('exempt', sa.Integer(), nullable=False),
    sa.Column('complete_month', sa.Integer(), nullable=True),
    sa.CheckConstraint(f"status IN {STATUSES}", name=op.f('ck_counted_person_status')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_counted_person_person_id_person')),
    sa.PrimaryKeyConstraint('start_year', 'person_id', name=op.f('pk_counted_person'))
    )
    for name, columns in INDEXES.items():
        op.create_index(name, 'counted_person', columns)
    op.create_table('counted_year',
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('reference_day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('start_year', name=op.f('pk_counted_year'))
    )


def downgrade():
    op.drop_table('counted_year')
    for name in INDEXES:
        op.drop_index(name, table_name='counted_person')
    op.drop_table('counted_person')
