"""Durations on the manager's pages are in words, one way: "1 hour", "1 hour 30 minutes", never "1 hours"."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import ActivityStatus

DAY = date(2026, 6, 15)


@pytest.fixture
def queue(db_session, monkeypatch):
    monkeypatch.setattr(appraisal_year, "today", lambda: DAY)
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=2, line_manager=manager, name="Nia Nurse")
    observed = make_activity_type("observed")
    hour = make_activity(nurse, observed, occurred_on=DAY, minutes=60, status=ActivityStatus.SUBMITTED,
                         title="Hour-long role-play")
    longer = make_activity(nurse, observed, occurred_on=DAY, minutes=90, status=ActivityStatus.SUBMITTED,
                           title="Longer debrief")
    make_activity(nurse, observed, occurred_on=DAY, minutes=120, title="Signed-off course")
    db.session.commit()
    return dict(nurse=nurse, hour=hour, longer=longer)


def page(client, sign_in, url: str) -> str:
    assert sign_in("manager@example.org", PASSWORD).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_queue_gives_each_duration_in_words(client, sign_in, queue):
    html = page(client, sign_in, "/team/queue")
    assert "1 hour ·" in html and "1 hour 30 minutes ·" in html
    assert "1 hours" not in html


def test_an_activity_shows_its_duration_in_words(client, sign_in, queue):
    html = page(client, sign_in, f"/team/activities/{queue['hour'].id}")
    assert "1 hour" in html and "1 hours" not in html


def test_a_persons_page_says_how_many_more_hours_in_words(client, sign_in, queue):
    # Tier 2 needs 3 hours: 2 are signed off, so one more hour (not "1 more hours").
    html = page(client, sign_in, f"/team/people/{queue['nurse'].id}")
    assert "1 more hour of experiential activity" in html
    assert "2 hours of 3 hours" in html  # hours signed off of the hours required
