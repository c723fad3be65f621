"""Single sign-on: each person's account at an identity provider (provider, subject -> person)

One new table: existing rows are untouched; people are linked at their first sign-in through SSO.

Revision ID: 0028
Revises: 0020
Create Date: 2026-11-30 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('made_the_person', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_identity_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_identity')),
    sa.UniqueConstraint('provider', 'subject', name=op.f('uq_person_identity_provider'))
    )
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_identity_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_identity_person_id'))
    op.drop_table('person_identity')
