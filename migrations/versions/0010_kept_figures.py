"""Figures of closed years, kept once computed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 09:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_figure',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('figure', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kept_figure'))
    )


def downgrade():
    op.drop_table('kept_figure')
