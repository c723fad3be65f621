"""Managers change and delete leadership actions: the manager who recorded one, or any manager
whose scope covers its team. Each change is audited; an action dated in a closed appraisal year
cannot change; others' actions are not found and staff are refused (POSTs with real CSRF tokens)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person, make_tree
from tracker.appraisal_year import year_containing
from tracker.extensions import db
from tracker.models import AuditEvent, LeadershipAction, LeadershipActionKind
from tracker.year_closing import closed_message_for


@pytest.fixture
def org(db_session):
    tree = make_tree()
    director = make_person(tree["cancer"], email="director@example.org", tier=3, roles=["manager"],
                           scope=[tree["cancer"]], name="Dina Director")
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], line_manager=director, name="Wyn Wardmanager")
    make_person(tree["clinic"], email="clinic@example.org", tier=3, roles=["manager"],
                scope=[tree["clinic"]], line_manager=director, name="Cleo Clinicmanager")
    make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=manager, name="Nia Nurse")
    db.session.commit()
    return {"tree": tree, "director": director, "manager": manager}


def action_of(manager, day: date, unit=None, kind=LeadershipActionKind.PROTECTED_TIME, hours=Decimal("6"),
              note="Two study afternoons") -> LeadershipAction:
    action = LeadershipAction(manager_id=manager.id, unit_id=unit.id if unit else None, kind=kind,
                              occurred_on=day, hours=hours, note=note)
    db.session.add(action)
    db.session.commit()
    return action


def login(sign_in, email="manager@example.org"):
    assert sign_in(email, PASSWORD).status_code == 302


def text_of(response) -> str:
    return response.get_data(as_text=True)


def action_form(kind="protected_time", day=None, hours="6", unit="", note="") -> dict:
    return {"kind": kind, "occurred_on-day": day.day, "occurred_on-month": day.month,
            "occurred_on-year": day.year, "hours": hours, "unit": unit, "note": note}


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def current(action: LeadershipAction) -> LeadershipAction | None:
    db.session.expire_all()
    return db.session.get(LeadershipAction, action.id)


def test_change_a_leadership_action_from_the_dashboard(client, sign_in, post_form, org, in_year):
    action = action_of(org["manager"], in_year, unit=org["tree"]["ward7"])
    login(sign_in)
    dashboard = text_of(client.get("/team/"))
    url = f"/team/leadership-actions/{action.id}/change"
    assert url in dashboard and f"/team/leadership-actions/{action.id}/delete" in dashboard
    page = text_of(client.get(url))
    assert "Change a leadership action" in page and "Two study afternoons" in page and 'value="6"' in page
    response = post_form(url, action_form(kind="team_session", day=in_year, hours="",
                                          unit=str(org["tree"]["ward7"].id), note="Breaking bad news practice"))
    assert response.status_code == 302 and response.headers["Location"].endswith("#leadership-actions")
    changed = current(action)
    assert (changed.kind, changed.hours, changed.note) == (LeadershipActionKind.TEAM_SESSION, None,
                                                           "Breaking bad news practice")
    [event] = audit("leadership_action.changed")
    assert event.detail["kind"] == {"from": "protected_time", "to": "team_session"}
    assert event.detail["hours"] == {"from": "6", "to": None} and "occurred_on" not in event.detail
    assert "Breaking bad news practice" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("data,message", [
    (dict(hours=""), "Enter the hours of protected learning time given"),
    (dict(hours="lots"), "Enter hours as a number"),
    (dict(kind=""), "Choose what you did"),
    ("tomorrow", "The date must be today or in the past"),
])
def test_a_change_with_errors_changes_nothing(client, sign_in, post_form, org, in_year, today, data, message):
    action = action_of(org["manager"], in_year)
    login(sign_in)
    form = action_form(day=today + timedelta(days=1)) if data == "tomorrow" else action_form(day=in_year, **data)
    response = post_form(f"/team/leadership-actions/{action.id}/change", form)
    html = text_of(response)
    assert response.status_code == 200 and "There is a problem" in html and message in html
    assert current(action).hours == Decimal("6") and not audit("leadership_action.changed")


def test_a_team_outside_scope_is_refused(client, sign_in, post_form, org, in_year):
    action = action_of(org["manager"], in_year, unit=org["tree"]["ward7"])
    login(sign_in)
    html = text_of(post_form(f"/team/leadership-actions/{action.id}/change",
                             action_form(day=in_year, unit=str(org["tree"]["theatres"].id))))
    assert "Choose one of your teams" in html
    assert current(action).unit_id == org["tree"]["ward7"].id


def test_delete_a_leadership_action_after_confirming(client, sign_in, post_form, org, in_year):
    action = action_of(org["manager"], in_year)
    login(sign_in)
    url = f"/team/leadership-actions/{action.id}/delete"
    page = text_of(client.get(url))
    assert "Delete this leadership action" in page and "Yes, delete it" in page
    assert current(action) is not None
    response = post_form(url, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("#leadership-actions")
    assert current(action) is None
    [event] = audit("leadership_action.deleted")
    assert event.detail["kind"] == "protected_time" and event.detail["occurred_on"] == in_year.isoformat()
    assert event.detail["hours"] == "6" and event.detail["note"] == "Two study afternoons"
    assert "Leadership action deleted." in text_of(client.get(response.headers["Location"]))


def test_a_director_whose_scope_covers_the_team_may_change_it(client, sign_in, post_form, org, in_year):
    action = action_of(org["manager"], in_year, unit=org["tree"]["ward7"])
    login(sign_in, "director@example.org")
    url = f"/team/leadership-actions/{action.id}/change"
    assert url in text_of(client.get("/team/"))
    response = post_form(url, action_form(day=in_year, hours="7.5", unit=str(org["tree"]["ward7"].id)))
    assert response.status_code == 302 and current(action).hours == Decimal("7.5")
    assert post_form(f"/team/leadership-actions/{action.id}/delete", {}).status_code == 302
    assert current(action) is None


def test_an_action_for_all_of_a_managers_teams_is_theirs_alone(client, sign_in, post_form, org, in_year):
    action = action_of(org["manager"], in_year, unit=None)
    login(sign_in, "director@example.org")
    assert client.get(f"/team/leadership-actions/{action.id}/change").status_code == 404
    assert post_form(f"/team/leadership-actions/{action.id}/delete", {}, token_from="/team/").status_code == 404
    assert current(action) is not None


@pytest.mark.parametrize("page", ["change", "delete"])
def test_another_managers_action_is_not_found(client, sign_in, post_form, org, in_year, page):
    action = action_of(org["manager"], in_year, unit=org["tree"]["ward7"])
    login(sign_in, "clinic@example.org")
    url = f"/team/leadership-actions/{action.id}/{page}"
    assert client.get(url).status_code == 404
    assert post_form(url, action_form(day=in_year), token_from="/team/").status_code == 404
    assert current(action).hours == Decimal("6")


@pytest.mark.parametrize("page", ["change", "delete"])
def test_staff_are_refused(client, sign_in, post_form, org, in_year, page):
    action = action_of(org["manager"], in_year, unit=org["tree"]["ward7"])
    login(sign_in, "nurse@example.org")
    url = f"/team/leadership-actions/{action.id}/{page}"
    assert client.get(url).status_code == 403
    assert post_form(url, action_form(day=in_year), token_from="/").status_code == 403
    assert current(action).hours == Decimal("6")
    assert db.session.scalar(select(func.count()).select_from(LeadershipAction)) == 1


def test_an_action_in_a_closed_year_cannot_change(client, sign_in, post_form, org, today, in_year):
    closed_day = year_containing(today).previous().previous().ends_on
    action = action_of(org["manager"], closed_day, unit=org["tree"]["ward7"])
    message = closed_message_for(closed_day, today)
    login(sign_in)
    dashboard = text_of(client.get(f"/team/?year={year_containing(closed_day).start_year}"))
    assert "Two study afternoons" in dashboard and f"/team/leadership-actions/{action.id}/" not in dashboard
    # Neither changed in place nor moved out into an open year.
    for day in (closed_day, in_year):
        response = post_form(f"/team/leadership-actions/{action.id}/change", action_form(day=day, hours="8"))
        assert response.status_code == 200 and message in text_of(response)
    deleted = post_form(f"/team/leadership-actions/{action.id}/delete", {})
    assert deleted.status_code == 200 and message in text_of(deleted)
    assert current(action).hours == Decimal("6")
    assert not audit("leadership_action.changed") and not audit("leadership_action.deleted")


def test_an_open_action_cannot_be_moved_into_a_closed_year(client, sign_in, post_form, org, today, in_year):
    closed_day = year_containing(today).previous().previous().ends_on
    action = action_of(org["manager"], in_year)
    login(sign_in)
    response = post_form(f"/team/leadership-actions/{action.id}/change", action_form(day=closed_day))
    assert closed_message_for(closed_day, today) in text_of(response)
    assert current(action).occurred_on == in_year
