"""Set-password links: single-use links an admin hands to a person to set their password

Only a hash of each link's token is stored. A new table: existing rows are untouched.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('set_password_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_set_password_link_created_by_id_person')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_set_password_link_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_set_password_link_token_hash'))
    )
    with op.batch_alter_table('set_password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_link_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('set_password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_link_person_id'))
    op.drop_table('set_password_link')
