"""Typed copies: what a person typed into the activity form and has not saved, kept on the server
(the browser's own copy in localStorage goes)

Nothing to carry over: the copies so far lived in browsers.

Revision ID: 0023
Revises: 0020
Create Date: 2026-11-30 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'typed_copy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('form', sa.String(length=40), nullable=False),
        sa.Column('page', sa.String(length=64), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=True),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_typed_copy_person_id_person'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_typed_copy')),
        sa.UniqueConstraint('person_id', 'form', name=op.f('uq_typed_copy_person_id')),
    )
    with op.batch_alter_table('typed_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typed_copy_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('typed_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typed_copy_person_id'))
    op.drop_table('typed_copy')
