"""Nothing is written into an appraisal year once it has closed (its end plus 30 days' grace for late
logging). Every write, through the pages, on the year's last grace day (allowed) and on its first
closed day (refused with the message, nothing written), for a year starting in April and one in January."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_person, make_tree
from tests.web.portfolio.builders import activity_form
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityStatus,
    AuditEvent,
    EvidenceFile,
    Exemption,
    LeadershipAction,
    Notice,
    activity_behaviour,
)


@dataclass(frozen=True)
class Calendar:
    start_month: int
    in_closing_year: date  # a day of the year that closes (named by its start year, 2026)
    last_grace_day: date
    first_closed_day: date
    next_year_starts: date  # the first day still open once the year has closed
    message: str


APRIL = Calendar(4, date(2027, 3, 20), date(2027, 4, 30), date(2027, 5, 1), date(2027, 4, 1),
                 "The 2026 to 2027 appraisal year closed at the end of 30 April 2027, so nothing dated in it can be changed")
JANUARY = Calendar(1, date(2026, 12, 20), date(2027, 1, 30), date(2027, 1, 31), date(2027, 1, 1),
                   "The 2026 appraisal year closed at the end of 30 January 2027, so nothing dated in it can be changed")
CLOSING_YEAR = 2026
DAYS = pytest.mark.parametrize("closed", [False, True], ids=["last-grace-day", "first-closed-day"])


@pytest.fixture(params=[APRIL, JANUARY], ids=["april", "january"])
def cal(request, app, monkeypatch) -> Calendar:
    monkeypatch.setitem(app.config, "APPRAISAL_YEAR_START_MONTH", request.param.start_month)
    return request.param


@pytest.fixture
def org(ref, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=2, line_manager=manager, name="Nia Nurse")
    db.session.commit()  # a SAVEPOINT release: survives a view's rollback
    return {"tree": tree, "manager": manager, "nurse": nurse, "ref": ref}


def on(clock, cal: Calendar, closed: bool) -> None:
    clock.move_to(cal.first_closed_day if closed else cal.last_grace_day)


def nurses_activity(org, cal: Calendar, status: ActivityStatus) -> Activity:
    activity = make_activity(org["nurse"], org["ref"]["types"]["team_debrief"], occurred_on=cal.in_closing_year,
                             status=status, behaviours=[org["ref"]["b"]["2.2"]], title="Late debrief")
    db.session.commit()
    return activity


def written(activity: Activity | None = None) -> dict:
    """What a refused write must leave as it was: the activity's row and behaviours, and every table's size."""
    state = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
             for model in (Activity, EvidenceFile, Exemption, LeadershipAction, Notice, AuditEvent)}
    if activity is not None:
        table = Activity.__table__
        state["row"] = dict(db.session.execute(select(table).where(table.c.id == activity.id)).mappings().one())
        state["behaviours"] = sorted(db.session.scalars(select(activity_behaviour.c.behaviour_id)
                                                        .where(activity_behaviour.c.activity_id == activity.id)))
    return state


def row(activity: Activity) -> dict:
    return written(activity)["row"]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def flashed_after(client, response, cal: Calendar, to: str) -> None:
    """The refusal redirected to `to`, whose page shows the message."""
    assert response.status_code == 302 and response.headers["Location"] == to
    assert cal.message in text_of(client.get(to))


def field_error(html: str, field_id: str) -> str:
    """The error message shown by a date field (the NHS date input's error span)."""
    match = re.search(rf'id="{field_id}-group-error"\s*>\s*<span class="nhsuk-u-visually-hidden">Error: </span>'
                      r"([^<]*?)\s*</span>", html)
    assert match, f"no error on {field_id}"
    return match.group(1)


# --- the person's portfolio ---------------------------------------------------------------------


@DAYS
@pytest.mark.parametrize("action", ["save", "submit"])
def test_logging_an_activity_dated_in_the_year(client, sign_in, post_form, org, clock, cal, closed, action):
    sign_in("nurse@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written()
    response = post_form("/activities/new", activity_form(org["ref"], action=action, on=cal.in_closing_year))
    if closed:
        assert response.status_code == 200
        first_open = f"{cal.next_year_starts.day} {cal.next_year_starts:%B %Y}"
        assert (f"Date of the activity must be on or after {first_open}: earlier appraisal years are closed"
                in text_of(response))
        assert written() == before
    else:
        assert response.status_code == 302
        assert written()["Activity"] == before["Activity"] + 1


@DAYS
@pytest.mark.parametrize("status", [ActivityStatus.DRAFT, ActivityStatus.RETURNED])
@pytest.mark.parametrize("action", ["save", "submit"])
def test_changing_or_submitting_an_activity_of_the_year_even_to_an_open_date(
        client, sign_in, post_form, org, clock, cal, closed, status, action):
    activity = nurses_activity(org, cal, status)
    sign_in("nurse@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written(activity)
    url = f"/activities/{activity.id}/edit"
    # Moved to the open year's first day: taking it out of the closed year would change that year too.
    data = activity_form(org["ref"], action=action, on=cal.next_year_starts, title="Moved out")
    response = post_form(url, data, token_from="/activities/new")
    if closed:
        flashed_after(client, response, cal, f"/activities/{activity.id}")
        assert written(activity) == before
        flashed_after(client, client.get(url), cal, f"/activities/{activity.id}")  # the form is not offered
    else:
        assert response.status_code == 302
        changed = row(activity)
        assert changed["title"] == "Moved out" and changed["occurred_on"] == cal.next_year_starts
        assert changed["status"] == (ActivityStatus.SUBMITTED if action == "submit" else status)


@DAYS
def test_withdrawing_an_activity_of_the_year(client, sign_in, post_form, org, clock, cal, closed):
    activity = nurses_activity(org, cal, ActivityStatus.SUBMITTED)
    sign_in("nurse@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written(activity)
    response = post_form(f"/activities/{activity.id}/withdraw", token_from="/activities/new")
    if closed:
        flashed_after(client, response, cal, f"/activities/{activity.id}")
        assert written(activity) == before
    else:
        assert response.status_code == 302 and response.headers["Location"] == f"/activities/{activity.id}"
        assert row(activity)["status"] == ActivityStatus.DRAFT


@DAYS
@pytest.mark.parametrize("status", [ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.RETURNED])
def test_deleting_an_activity_of_the_year(client, sign_in, post_form, org, clock, cal, closed, status):
    activity = nurses_activity(org, cal, status)
    sign_in("nurse@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written(activity)
    url = f"/activities/{activity.id}/delete"
    response = post_form(url, token_from="/activities/new")
    if closed:
        flashed_after(client, response, cal, f"/activities/{activity.id}")
        assert written(activity) == before
        flashed_after(client, client.get(url), cal, f"/activities/{activity.id}")  # no confirmation page
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/my-year"
        assert row(activity)["deleted_at"] is not None


@DAYS
@pytest.mark.parametrize("status,buttons", [
    (ActivityStatus.DRAFT, ["Change activity", "Delete activity"]),
    (ActivityStatus.SUBMITTED, [">Withdraw</button>", "Withdraw it if you want to change it", "Delete activity"]),
    (ActivityStatus.RETURNED, ["Change activity", "Delete activity"]),
])
def test_the_activity_page_offers_no_change_once_the_year_has_closed(
        client, sign_in, org, clock, cal, closed, status, buttons):
    activity = nurses_activity(org, cal, status)
    sign_in("nurse@example.org", PASSWORD)
    on(clock, cal, closed)
    response = client.get(f"/activities/{activity.id}")
    html = text_of(response)
    assert response.status_code == 200
    for button in buttons:
        assert (button in html) is not closed, button
    assert (f"{cal.message}." in html) is closed


def test_a_signed_off_activity_page_does_not_mention_the_closed_year(client, sign_in, org, clock, cal):
    activity = nurses_activity(org, cal, ActivityStatus.SIGNED_OFF)
    sign_in("nurse@example.org", PASSWORD)
    clock.move_to(cal.first_closed_day)
    html = text_of(client.get(f"/activities/{activity.id}"))
    assert "can no longer be changed" in html and cal.message not in html


# --- the manager: decisions, exemptions, leadership actions, reminders -------------------------


@DAYS
@pytest.mark.parametrize("decision,outcome", [("sign_off", ActivityStatus.SIGNED_OFF),
                                                   ("return", ActivityStatus.RETURNED)])
def test_deciding_on_an_activity_of_the_year(client, sign_in, post_form, org, clock, cal, closed, decision, outcome):
    activity = nurses_activity(org, cal, ActivityStatus.SUBMITTED)
    sign_in("manager@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written(activity)
    response = post_form(f"/team/activities/{activity.id}/decision",
                         {"decision": decision, "feedback": "Add which behaviours it showed."}, token_from="/team/")
    if closed:
        html = text_of(response)
        assert response.status_code == 200 and "There is a problem" in html and cal.message in html
        assert written(activity) == before and before["row"]["status"] == ActivityStatus.SUBMITTED
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/team/queue"
        decided = row(activity)
        assert decided["status"] == outcome and decided["decided_by_id"] == org["manager"].id


@DAYS
def test_the_decision_page_offers_no_decision_once_the_year_has_closed(client, sign_in, org, clock, cal, closed):
    activity = nurses_activity(org, cal, ActivityStatus.SUBMITTED)
    sign_in("manager@example.org", PASSWORD)
    on(clock, cal, closed)
    response = client.get(f"/team/activities/{activity.id}")
    html = text_of(response)
    assert response.status_code == 200
    assert ('value="sign_off"' in html) is not closed and ("Return with feedback" in html) is not closed
    assert (f"{cal.message}." in html) is closed


def _exemption_form(start: date, end: date) -> dict:
    return {"reason": "parental_leave", "reason_detail": "",
            "starts_on-day": start.day, "starts_on-month": start.month, "starts_on-year": start.year,
            "ends_on-day": end.day, "ends_on-month": end.month, "ends_on-year": end.year}


@DAYS
def test_an_exemption_starting_in_the_year(client, sign_in, post_form, org, clock, cal, closed):
    sign_in("manager@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written()
    url = f"/team/people/{org['nurse'].id}/exemptions/new"
    response = post_form(url, _exemption_form(cal.in_closing_year, cal.first_closed_day))
    if closed:
        assert response.status_code == 200 and field_error(text_of(response), "starts_on") == cal.message
        assert written() == before
    else:
        assert response.status_code == 302 and response.headers["Location"] == f"/team/people/{org['nurse'].id}"
        assert db.session.scalar(select(Exemption.starts_on)) == cal.in_closing_year


def test_an_exemption_starting_in_the_open_year_is_recorded_after_closing(client, sign_in, post_form, org, clock, cal):
    sign_in("manager@example.org", PASSWORD)
    clock.move_to(cal.first_closed_day)
    response = post_form(f"/team/people/{org['nurse'].id}/exemptions/new",
                         _exemption_form(cal.next_year_starts, cal.first_closed_day))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Exemption)) == 1


@DAYS
def test_a_leadership_action_dated_in_the_year(client, sign_in, post_form, org, clock, cal, closed):
    sign_in("manager@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written()
    day = cal.in_closing_year
    response = post_form("/team/leadership-actions/new", {
        "kind": "protected_time", "occurred_on-day": day.day, "occurred_on-month": day.month,
        "occurred_on-year": day.year, "hours": "6", "unit": "", "note": "Study afternoons"})
    if closed:
        assert response.status_code == 200 and field_error(text_of(response), "occurred_on") == cal.message
        assert written() == before
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/team/#leadership-actions"
        assert db.session.scalar(select(LeadershipAction.occurred_on)) == day


@DAYS
def test_reminders_to_log_into_the_year(client, sign_in, post_form, org, clock, cal, closed):
    sign_in("manager@example.org", PASSWORD)
    on(clock, cal, closed)
    before = written()
    dashboard = f"/team/?year={CLOSING_YEAR}"
    html = text_of(client.get(dashboard))
    assert ("Send a reminder" in html) is not closed and ('name="person_id"' in html) is not closed
    assert (f"{cal.message}, so no reminders can be sent for it." in html) is closed
    # Confirmed straight away (the confirmation page is tested with the team pages).
    response = post_form("/team/reminders", {"person_id": [org["nurse"].id], "everyone": "no", "year": CLOSING_YEAR,
                                             "confirm": "yes"}, token_from="/team/")
    assert response.status_code == 302 and response.headers["Location"] == dashboard
    if closed:
        assert cal.message in text_of(client.get(dashboard))
        assert written() == before
    else:
        assert db.session.scalar(select(Notice.person_id)) == org["nurse"].id
