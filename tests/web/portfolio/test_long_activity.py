"""A single activity over 12 hours is asked about ("Is that right?") before anything is saved."""
from __future__ import annotations

import pytest

from tests.web.portfolio.builders import activity_count, activity_form, my_activity, only_activity
from tracker.extensions import db
from tracker.models import ActivityStatus

QUESTION = "You entered 14 hours for one activity. Is that right?"


@pytest.mark.parametrize("action", ["submit", "draft"])
def test_over_12_hours_is_not_saved_without_confirming(client, as_nurse, ref, post_form, action):
    response = post_form("/activities/new", activity_form(ref, action=action, duration_hours="14", duration_minutes="0"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert QUESTION in html and "Yes, it is right" in html
    assert 'name="duration_confirmed"' in html and 'value="840"' in html
    assert activity_count() == 0


def test_over_12_hours_is_saved_once_confirmed(client, as_nurse, ref, post_form):
    response = post_form("/activities/new", activity_form(ref, duration_hours="14", duration_minutes="0",
                                                          duration_confirmed="840"))
    assert response.status_code == 302
    saved = only_activity()
    assert saved.duration_minutes == 14 * 60 and saved.status == ActivityStatus.SUBMITTED


def test_confirming_one_duration_does_not_confirm_another(client, as_nurse, ref, post_form):
    # Confirmed 14 hours, then changed the boxes to 15: asked again.
    response = post_form("/activities/new", activity_form(ref, duration_hours="15", duration_minutes="0",
                                                          duration_confirmed="840"))
    assert "You entered 15 hours for one activity. Is that right?" in response.get_data(as_text=True)
    assert activity_count() == 0


def test_12_hours_saves_at_once(client, as_nurse, ref, post_form):
    response = post_form("/activities/new", activity_form(ref, duration_hours="12", duration_minutes="0"))
    assert response.status_code == 302
    assert only_activity().duration_minutes == 12 * 60


def test_12_hours_1_minute_is_asked_about(client, as_nurse, ref, post_form):
    response = post_form("/activities/new", activity_form(ref, duration_hours="12", duration_minutes="1"))
    assert "You entered 12 hours 1 minute for one activity. Is that right?" in response.get_data(as_text=True)
    assert activity_count() == 0


def test_a_long_duration_already_saved_is_not_asked_again(client, as_nurse, ref, post_form):
    draft = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT, minutes=14 * 60)
    response = post_form(f"/activities/{draft.id}/edit",
                         activity_form(ref, action="draft", duration_hours="14", duration_minutes="0",
                                       title="Long study day"))
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.title == "Long study day"


def test_changing_a_saved_activity_to_over_12_hours_is_asked_about(client, as_nurse, ref, post_form):
    draft = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT, minutes=60, title="Short")
    response = post_form(f"/activities/{draft.id}/edit",
                         activity_form(ref, action="draft", duration_hours="13", duration_minutes="30"))
    assert "You entered 13 hours 30 minutes for one activity. Is that right?" in response.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.duration_minutes == 60 and draft.title == "Short"
