"""Two transactions changing one person's activities at once keep both changes in the person's
kept figures and counted row: the second waits for the first to commit (the person's lock in
tracker.figures.counted) and then computes from a snapshot holding the first's change. Without the
lock it computed from a snapshot taken before, and wrote over the first's change.

PostgreSQL only: it runs writers at once; SQLite runs one writer at a time."""
from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.factories import make_activity, make_activity_type, make_person, make_tree
from tests.support import app_on_scratch_database
from tracker import appraisal_year, figures
from tracker.extensions import db
from tracker.figures import upkeep, verify
from tracker.models import Activity, ActivityStatus, Person, PersonYearFigures
from tracker.team import services as team

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="two writers at once need PostgreSQL: this runs on the PostgreSQL pass (TEST_DATABASE_URL=postgresql…)")


def _wait_until_a_backend_waits_for_a_lock(url: str) -> None:
    """Poll (at most 600 times) until some connection waits for a lock: the second transaction has
    reached the person it must not compute before the first commits."""
    engine = create_engine(url)
    try:
        with engine.connect() as watcher:
            for _ in range(600):
                if watcher.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                    return
                watcher.execute(text("SELECT pg_sleep(0.05)"))
        raise AssertionError("the second transaction never waited for the first")
    finally:
        engine.dispose()


def test_two_sign_offs_of_one_persons_activities_at_once_both_count(tmp_path):
    with app_on_scratch_database("figrace", tmp_path / "figrace.db") as app:
        today = appraisal_year.today()
        with app.app_context():
            tree = make_tree()
            manager = make_person(tree["ward7"], roles=["manager"], scope=[tree["ward7"]], tier=3)
            nurse = make_person(tree["ward7"], tier=1, line_manager=manager)
            kind = make_activity_type()
            first_id, second_id = [make_activity(nurse, kind, occurred_on=today, status=ActivityStatus.SUBMITTED,
                                                 title=f"Activity {n}").id for n in (1, 2)]
            year = upkeep.year_of(today)
            figures.counted_tallies(year, today)  # the year is counted, so the recount runs too
            db.session.commit()
            ids = dict(manager=manager.id, nurse=nurse.id)

        first_decided, first_may_commit = threading.Event(), threading.Event()
        failures = []

        def sign_off(activity_id, before_commit=None):
            try:
                with app.app_context():
                    team.decide(db.session.get(Person, ids["manager"]), db.session.get(Activity, activity_id),
                                "sign_off", today=today)
                    if before_commit:
                        before_commit()
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported by the main thread)
                failures.append(error)
                first_decided.set()

        def hold():
            first_decided.set()
            assert first_may_commit.wait(60)

        first = threading.Thread(target=sign_off, args=(first_id, hold))
        first.start()
        assert first_decided.wait(60) and not failures, failures
        second = threading.Thread(target=sign_off, args=(second_id,))
        second.start()
        _wait_until_a_backend_waits_for_a_lock(app.config["SQLALCHEMY_DATABASE_URI"])
        first_may_commit.set()
        first.join(60)
        second.join(60)
        assert not failures, failures

        with app.app_context():
            kept = db.session.get(PersonYearFigures, (ids["nurse"], year.start_year))
            assert kept.s_activities == 2 and kept.pending_activities == 0
            assert verify.differences(year) == [] and verify.counted_differences(year) == []
            assert db.session.scalar(select(func.count()).select_from(Activity)
                                     .where(Activity.status == ActivityStatus.SIGNED_OFF)) == 2
