"""Observed practice: requests to an observer, and what they saw of each chosen behaviour

Two new tables: existing rows are untouched (an activity without a request reads as before).

Revision ID: 0029
Revises: 0020
Create Date: 2026-11-30 15:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('observation_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('observer_name', sa.String(length=200), nullable=False),
    sa.Column('observer_email', sa.String(length=254), nullable=False),
    sa.Column('situation_note', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('sent', 'opened', 'answered', 'expired', 'cancelled', name='observationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_name', sa.String(length=200), nullable=True),
    sa.Column('answered_role', sa.String(length=200), nullable=True),
    sa.Column('went_well', sa.Text(), nullable=True),
    sa.Column('try_next', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_observation_request_activity_id_activity')),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], name=op.f('fk_observation_request_requester_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_request')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_observation_request_token_hash'))
    )
    with op.batch_alter_table('observation_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_request_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_request_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_observation_request_activity_status', ['activity_id', 'status'], unique=False)
    op.create_table('observed_behaviour',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('behaviour_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('seen', sa.Enum('not_seen', 'developing', 'consistent', 'role_model', name='seenscale', native_enum=False, length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['behaviour_id'], ['behaviour.id'], name=op.f('fk_observed_behaviour_behaviour_id_behaviour')),
    sa.ForeignKeyConstraint(['request_id'], ['observation_request.id'], name=op.f('fk_observed_behaviour_request_id_observation_request')),
    sa.PrimaryKeyConstraint('request_id', 'behaviour_id', name=op.f('pk_observed_behaviour'))
    )
    with op.batch_alter_table('observed_behaviour', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observed_behaviour_behaviour_id'), ['behaviour_id'], unique=False)


def downgrade():
    with op.batch_alter_table('observed_behaviour', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observed_behaviour_behaviour_id'))
    op.drop_table('observed_behaviour')
    with op.batch_alter_table('observation_request', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_request_activity_status')
        batch_op.drop_index(batch_op.f('ix_observation_request_requester_id'))
        batch_op.drop_index(batch_op.f('ix_observation_request_activity_id'))
    op.drop_table('observation_request')
