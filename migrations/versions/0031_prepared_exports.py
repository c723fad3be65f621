"""Prepared exports: long exports written by a worker, downloadable by their requester for 7 days

A new table: existing rows are untouched.

Revision ID: 0031
Revises: 0029
Create Date: 2026-11-30 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('prepared_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('format', sa.String(length=4), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('estimated_rows', sa.BigInteger(), nullable=False),
    sa.Column('rows', sa.BigInteger(), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], name=op.f('fk_prepared_export_requester_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_export')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_prepared_export_stored_name'))
    )
    with op.batch_alter_table('prepared_export', schema=None) as batch_op:
        batch_op.create_index('ix_prepared_export_due', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_prepared_export_requester', ['requester_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('prepared_export', schema=None) as batch_op:
        batch_op.drop_index('ix_prepared_export_requester')
        batch_op.drop_index('ix_prepared_export_due')
    op.drop_table('prepared_export')
