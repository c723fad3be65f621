"""Each person's figures per appraisal year, kept up to date (tracker.figures.upkeep), filled from
the activities already there; and the years waiting for a rebuild after a rule or framework change

Revision ID: 0033
Revises: 0029
Create Date: 2026-11-30 17:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


revision = '0033'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_year_figures',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('logged', sa.Integer(), nullable=False),
    sa.Column('pending_activities', sa.Integer(), nullable=False),
    sa.Column('s_activities', sa.Integer(), nullable=False),
    sa.Column('s_minutes', sa.Integer(), nullable=False),
    sa.Column('s_behaviours', sa.Integer(), nullable=False),
    sa.Column('s_leadership', sa.Integer(), nullable=False),
    sa.Column('p_activities', sa.Integer(), nullable=False),
    sa.Column('p_minutes', sa.Integer(), nullable=False),
    sa.Column('p_behaviours', sa.Integer(), nullable=False),
    sa.Column('p_leadership', sa.Integer(), nullable=False),
    sa.Column('last_activity_on', sa.Date(), nullable=True),
    sa.Column('complete_month_1', sa.Integer(), nullable=True),
    sa.Column('complete_month_2', sa.Integer(), nullable=True),
    sa.Column('complete_month_3', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_year_figures_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'start_year', name=op.f('pk_person_year_figures'))
    )
    with op.batch_alter_table('person_year_figures', schema=None) as batch_op:
        batch_op.create_index('ix_person_year_figures_start_year', ['start_year', 'person_id'], unique=False)
    op.create_table('figures_rebuild',
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('start_year', name=op.f('pk_figures_rebuild'))
    )
    # Filled by the rule's own SQL, as the application keeps it (one INSERT … SELECT per year).
    from tracker.figures import upkeep

    session = Session(bind=op.get_bind())
    upkeep.rebuild_all(session, counted_too=False, lines_too=False)
    session.close()


def downgrade():
    op.drop_table('figures_rebuild')
    with op.batch_alter_table('person_year_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_person_year_figures_start_year')
    op.drop_table('person_year_figures')
