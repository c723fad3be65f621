"""0008 moves the audit trail to subject ids on a database that holds events: every row keeps its
actor, subject, activity, time and details, and a downgrade gives the person ids back."""
from __future__ import annotations

import json
import os
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

import config
from tests.support import scratch_database
from tracker import create_app
from tracker.demo import load_demo
from tracker.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
ROWS_BEFORE = "SELECT id, occurred_at, actor_id, action, person_id, activity_id, detail FROM audit_event ORDER BY id"


def test_upgrading_a_trail_with_events_keeps_every_row_and_who_it_names(tmp_path):
    with scratch_database("audit", tmp_path / "audit.db") as url:
        class Cfg(config.TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(Cfg)
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            load_demo(staff=60, years=1, seed=2026, today=date(2025, 10, 15))
            db.session.commit()
            db.session.remove()
            downgrade(directory=MIGRATIONS, revision="0004")
            with db.engine.begin() as conn:
                people = conn.execute(text("SELECT id FROM person ORDER BY id")).scalars().all()
                activity = conn.execute(text("SELECT min(id) FROM activity")).scalar()
                for n in range(30):
                    conn.execute(text("INSERT INTO audit_event (occurred_at, actor_id, action, person_id, activity_id,"
                                      " detail) VALUES (:at, :actor, :action, :person, :activity, :detail)"),
                                 {"at": f"2025-06-{n % 28 + 1:02d} 10:00:00", "actor": people[n % 3] if n % 5 else None,
                                  "action": f"test.action_{n % 4}", "person": people[n % 7] if n % 2 else None,
                                  "activity": activity if n % 3 == 0 else None, "detail": json.dumps({"n": n})})
                before = conn.execute(text(ROWS_BEFORE)).all()
            assert len(before) >= 30

            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as conn:
                after = conn.execute(text(
                    "SELECT e.id, e.occurred_at, actor.person_id, e.action, about.person_id, e.activity_id, e.detail"
                    " FROM audit_event e"
                    " LEFT JOIN audit_subject actor ON actor.subject_id = e.actor_subject_id"
                    " LEFT JOIN audit_subject about ON about.subject_id = e.about_subject_id ORDER BY e.id")).all()
                subjects = conn.execute(text("SELECT subject_id, person_id FROM audit_subject")).all()
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            assert after == before
            named = {row[2] for row in before if row[2]} | {row[4] for row in before if row[4]}
            assert sorted(p for _, p in subjects) == sorted(named)
            assert len({s for s, _ in subjects}) == len(subjects) and all(len(s) == 32 for s, _ in subjects)
            assert diff == []
            # From now on the database refuses to change or remove an event.
            for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
                with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
                    conn.execute(text(statement))

            downgrade(directory=MIGRATIONS, revision="0004")
            with db.engine.connect() as conn:
                assert conn.execute(text(ROWS_BEFORE)).all() == before
            downgrade(directory=MIGRATIONS, revision="base")
            db.engine.dispose()
