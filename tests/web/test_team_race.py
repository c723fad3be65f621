"""Two decisions on the same activity at the same moment: exactly one lands.

An activity has one decider, so the race is theirs with themselves (two tabs or two devices).
Runs against a real database of its own (a SQLite file, or a fresh PostgreSQL database when
TEST_DATABASE_URL is set) with two signed-in sessions posting from two threads at once.
"""
from __future__ import annotations

import threading
import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree
from tests.support import app_on_scratch_database, csrf_token_from
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent
from tracker.team.routes import ALREADY_DECIDED

ROUNDS = 6


@pytest.fixture
def race_app(tmp_path):
    with app_on_scratch_database("race", tmp_path / "race.db") as app:
        with app.app_context():
            tree = make_tree()
            manager = make_person(tree["ward7"], email="manager@example.org", roles=["manager"],
                                  scope=[tree["ward7"]])
            nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=manager)
            observed = make_activity_type()
            ids = [make_activity(nurse, observed, occurred_on=appraisal_year.today(), status=ActivityStatus.SUBMITTED,
                                 title=f"Round {i}").id for i in range(ROUNDS)]
            db.session.commit()
        yield app, ids


def signed_in_client(app, email):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def test_exactly_one_of_two_simultaneous_decisions_is_recorded(race_app):
    app, activity_ids = race_app
    first = signed_in_client(app, "manager@example.org")
    second = signed_in_client(app, "manager@example.org")
    for activity_id in activity_ids:
        url = f"/team/activities/{activity_id}"
        # Both sessions have the activity open as "submitted" before either decides.
        tokens = [csrf_token_from(c.get(url).get_data(as_text=True)) for c in (first, second)]
        barrier = threading.Barrier(2)
        results = {}

        def decide(name, client, token, data):
            barrier.wait()
            response = client.post(f"{url}/decision", data={**data, "csrf_token": token}, follow_redirects=True)
            results[name] = (response.status_code, response.get_data(as_text=True))

        threads = [
            threading.Thread(target=decide, args=("first", first, tokens[0], {"decision": "sign_off"})),
            threading.Thread(target=decide, args=("second", second, tokens[1],
                                                  {"decision": "return", "feedback": "Please add more detail"})),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert all(status == 200 for status, _ in results.values()), results.keys()
        told = [name for name, (_, html) in results.items() if ALREADY_DECIDED in html]
        assert len(told) == 1, f"activity {activity_id}: {told}"
        winner = "second" if told == ["first"] else "first"
        with app.app_context():
            activity = db.session.get(Activity, activity_id)
            expected = ActivityStatus.SIGNED_OFF if winner == "first" else ActivityStatus.RETURNED
            assert activity.status == expected
            decisions = db.session.scalar(
                select(func.count()).select_from(AuditEvent)
                .where(AuditEvent.activity_id == activity_id,
                       AuditEvent.action.in_(["activity.signed_off", "activity.returned"])))
            assert decisions == 1
            db.session.remove()
