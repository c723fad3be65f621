"""The audit trail names people by pseudonymous subject ids, and keeps the client's address

Every person named in an existing row (as actor or as the person it is about) gets a random
subject id in audit_subject; the rows are rewritten to carry those ids, so none is lost and
every row reads as before. Erasing a person later removes only their audit_subject row.
The activity id loses its foreign key for the same reason (erasure must not edit the trail).
Triggers then refuse any UPDATE or DELETE of an event (and TRUNCATE on PostgreSQL).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

audit_event = sa.table('audit_event', sa.column('actor_id', sa.Integer), sa.column('person_id', sa.Integer),
                       sa.column('actor_subject_id', sa.String), sa.column('about_subject_id', sa.String))
audit_subject = sa.table('audit_subject', sa.column('subject_id', sa.String), sa.column('person_id', sa.Integer))


def _subject_of(person_column):
    return (sa.select(audit_subject.c.subject_id).where(audit_subject.c.person_id == person_column)
            .scalar_subquery())


def _person_of(subject_column):
    return (sa.select(audit_subject.c.person_id).where(audit_subject.c.subject_id == subject_column)
            .scalar_subquery())


APPEND_ONLY_MESSAGE = "the audit trail is append-only"


def _guard(create: bool):
    """Triggers that refuse UPDATE and DELETE on audit_event (and TRUNCATE on PostgreSQL)."""
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for verb in ('UPDATE', 'DELETE'):
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb.lower()}")
            if create:
                op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                           f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")
    elif dialect == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        if create:
            op.execute("CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                       f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$")
            op.execute("CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
                       "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
            op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                       "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")
        else:
            op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


def upgrade():
    op.create_table('audit_subject',
    sa.Column('subject_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_audit_subject_person_id_person')),
    sa.PrimaryKeyConstraint('subject_id', name=op.f('pk_audit_subject')),
    sa.UniqueConstraint('person_id', name=op.f('uq_audit_subject_person_id'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_subject_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('about_subject_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('client_address', sa.String(length=64), nullable=True))

    bind = op.get_bind()
    named = sa.union(sa.select(audit_event.c.actor_id.label('id')).where(audit_event.c.actor_id.is_not(None)),
                     sa.select(audit_event.c.person_id.label('id')).where(audit_event.c.person_id.is_not(None)))
    people = [row[0] for row in bind.execute(named)]
    if people:
        op.bulk_insert(audit_subject, [{'subject_id': uuid.uuid4().hex, 'person_id': p} for p in people])
        op.execute(audit_event.update().values(actor_subject_id=_subject_of(audit_event.c.actor_id),
                                               about_subject_id=_subject_of(audit_event.c.person_id)))

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_event_actor_id_person', type_='foreignkey')
        batch_op.drop_constraint('fk_audit_event_person_id_person', type_='foreignkey')
        batch_op.drop_constraint('fk_audit_event_activity_id_activity', type_='foreignkey')
        batch_op.drop_index('ix_audit_event_actor_id')
        batch_op.drop_index('ix_audit_event_person_id')
        batch_op.drop_index('ix_audit_event_action')
        batch_op.drop_column('actor_id')
        batch_op.drop_column('person_id')
        batch_op.create_index('ix_audit_event_action_time', ['action', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_actor_time', ['actor_subject_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_about_time', ['about_subject_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_activity_id'), ['activity_id'], unique=False)
    # Last: SQLite's batch mode rebuilds the table, which would drop triggers made before.
    _guard(create=True)


def downgrade():
    # Rows about an erased person come back with no person: their mapping is gone by design.
    _guard(create=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
    op.execute(audit_event.update().values(actor_id=_person_of(audit_event.c.actor_subject_id),
                                           person_id=_person_of(audit_event.c.about_subject_id)))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_activity_id'))
        batch_op.drop_index('ix_audit_event_about_time')
        batch_op.drop_index('ix_audit_event_actor_time')
        batch_op.drop_index('ix_audit_event_action_time')
        batch_op.drop_column('client_address')
        batch_op.drop_column('about_subject_id')
        batch_op.drop_column('actor_subject_id')
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_actor_id_person'), 'person', ['actor_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_person_id_person'), 'person', ['person_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_activity_id_activity'), 'activity',
                                    ['activity_id'], ['id'])
    op.drop_table('audit_subject')
