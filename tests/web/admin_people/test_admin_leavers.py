"""Deactivating (a leaving date, after a confirmation page) and reactivating people: a deactivated
person cannot sign in, their sessions end, they stop counting from the leaving date and their
history stays; the last active admin cannot deactivate themselves."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person
from tests.support import csrf_token_from
from tests.web.admin_people.conftest import CLOSED_MESSAGE, DAY, IN_CLOSED_YEAR, IN_OPEN_YEAR
from tracker.admin.people_services import LAST_ADMIN_DEACTIVATE
from tracker.appraisal_year import AppraisalYear
from tracker.auth.routes import SIGN_IN_FAILED
from tracker.extensions import db
from tracker.models import AuditEvent, PersonPeriod
from tracker.roster import Roster
from tracker.staff_history import periods_of


def dated(day: date | None) -> dict:
    if day is None:
        return {"on-day": "", "on-month": "", "on-year": ""}
    return {"on-day": str(day.day), "on-month": str(day.month), "on-year": str(day.year)}


def on_roster(person, day: date) -> bool:
    people = Roster.of(AppraisalYear(2025), day).people()
    return person.id in db.session.scalars(select(people.subquery().c.id)).all()


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def signed_in_client(app, email: str):
    other = app.test_client()
    token = csrf_token_from(other.get("/sign-in").get_data(as_text=True))
    assert other.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return other


def test_deactivating_asks_first(client, as_admin):
    nurse = as_admin["people"]["nurse"]
    html = client.get(f"/admin/people/{nurse.id}/deactivate").get_data(as_text=True)
    assert "<h1>Deactivate Nia Nurse</h1>" in html and "Yes, deactivate" in html
    assert 'name="on-day"' in html and 'value="15"' in html  # today, as it starts
    db.session.refresh(nurse)
    assert nurse.active


def test_a_deactivated_person_leaves_from_the_date_cannot_sign_in_and_is_signed_out(app, client, post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    nurse_client = signed_in_client(app, "nurse@example.org")
    assert nurse_client.get("/my-year").status_code == 200
    response = post_form(f"/admin/people/{nurse.id}/deactivate", dated(IN_OPEN_YEAR))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/people/{nurse.id}")
    db.session.refresh(nurse)
    assert not nurse.active and not nurse.is_active
    # Their history stays: in post until the day before they left.
    assert [(p.starts_on, p.ends_on) for p in periods_of(nurse)] == [(date(1900, 1, 1), IN_OPEN_YEAR - timedelta(days=1))]
    assert on_roster(nurse, IN_OPEN_YEAR - timedelta(days=1)) and not on_roster(nurse, IN_OPEN_YEAR)
    [event] = audit("person.deactivated")
    assert event.person_id == nurse.id and event.detail == {"left_on": IN_OPEN_YEAR.isoformat()}
    # Their session has ended, and they cannot sign in again.
    assert "/sign-in" in nurse_client.get("/my-year").headers["Location"]
    retry = app.test_client()
    token = csrf_token_from(retry.get("/sign-in").get_data(as_text=True))
    html = retry.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD, "csrf_token": token}
                      ).get_data(as_text=True)
    assert SIGN_IN_FAILED in html


@pytest.mark.parametrize("day, message", [
    (IN_CLOSED_YEAR, CLOSED_MESSAGE),
    (DAY + timedelta(days=1), "The date must be today or in the past."),
    (None, "Enter the leaving date"),
])
def test_a_bad_leaving_date_is_refused_by_the_field(post_form, as_admin, day, message):
    nurse = as_admin["people"]["nurse"]
    html = post_form(f"/admin/people/{nurse.id}/deactivate", dated(day)).get_data(as_text=True)
    assert 'href="#on"' in html and message in html
    db.session.refresh(nurse)
    assert nurse.active and len(periods_of(nurse)) == 1 and not audit("person.deactivated")


def test_nobody_leaves_before_they_started(post_form, as_admin):
    nurse = make_person(as_admin["tree"]["ward7"], email="starter@example.org", name="New Starter", active=False)
    db.session.add(PersonPeriod(person_id=nurse.id, starts_on=IN_OPEN_YEAR, team_id=nurse.team_id, tier=2,
                                staff_group=nurse.staff_group))
    nurse.active = True
    db.session.commit()
    html = post_form(f"/admin/people/{nurse.id}/deactivate", dated(IN_OPEN_YEAR)).get_data(as_text=True)
    assert "The leaving date must be after they started, on 1 June 2025." in html
    assert [(p.starts_on, p.ends_on) for p in periods_of(nurse)] == [(IN_OPEN_YEAR, None)]


def test_the_last_active_admin_cannot_deactivate_themselves(client, post_form, as_admin):
    admin = as_admin["people"]["admin"]
    html = post_form(f"/admin/people/{admin.id}/deactivate", dated(DAY)).get_data(as_text=True)
    assert LAST_ADMIN_DEACTIVATE in html
    db.session.refresh(admin)
    assert admin.active and client.get("/admin/people").status_code == 200


def test_an_admin_may_deactivate_themselves_when_another_admin_is_active(client, post_form, as_admin):
    admin = as_admin["people"]["admin"]
    make_person(as_admin["tree"]["trust"], email="second@example.org", roles=["admin"])
    db.session.commit()
    response = post_form(f"/admin/people/{admin.id}/deactivate", dated(DAY))
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    db.session.refresh(admin)
    assert not admin.active
    assert "/sign-in" in client.get("/admin/people").headers["Location"]


def test_deactivating_someone_who_has_left_is_refused(post_form, as_admin):
    gone = as_admin["people"]["gone"]
    html = post_form(f"/admin/people/{gone.id}/deactivate", dated(DAY)).get_data(as_text=True)
    assert "This person has already left." in html and not audit("person.deactivated")


def test_reactivating_puts_them_back_in_post_from_the_date(client, post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    post_form(f"/admin/people/{nurse.id}/deactivate", dated(IN_OPEN_YEAR))
    html = client.get(f"/admin/people/{nurse.id}/reactivate").get_data(as_text=True)
    assert "<h1>Reactivate Nia Nurse</h1>" in html
    back = date(2025, 9, 1)
    response = post_form(f"/admin/people/{nurse.id}/reactivate", dated(back))
    assert response.status_code == 302
    db.session.refresh(nurse)
    assert nurse.active
    assert [(p.starts_on, p.ends_on) for p in periods_of(nurse)] == [
        (date(1900, 1, 1), IN_OPEN_YEAR - timedelta(days=1)), (back, None)]
    assert not on_roster(nurse, back - timedelta(days=1)) and on_roster(nurse, back)
    [event] = audit("person.reactivated")
    assert event.detail == {"back_on": back.isoformat()}


@pytest.mark.parametrize("day, message", [
    (date(2025, 5, 1), "Choose a day after they left."),
    (IN_CLOSED_YEAR, CLOSED_MESSAGE),
    (None, "Enter the date they are back in post"),
])
def test_a_bad_rejoining_date_is_refused_by_the_field(post_form, as_admin, day, message):
    nurse = as_admin["people"]["nurse"]
    post_form(f"/admin/people/{nurse.id}/deactivate", dated(IN_OPEN_YEAR))
    html = post_form(f"/admin/people/{nurse.id}/reactivate", dated(day)).get_data(as_text=True)
    assert 'href="#on"' in html and message in html
    db.session.refresh(nurse)
    assert not nurse.active and not audit("person.reactivated")


def test_reactivating_someone_in_post_is_refused(post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    html = post_form(f"/admin/people/{nurse.id}/reactivate", dated(DAY)).get_data(as_text=True)
    assert "This person is already in post." in html


def test_a_left_persons_team_cannot_change_until_they_are_back(post_form, as_admin):
    gone = as_admin["people"]["gone"]
    data = {"name": gone.name, "email": gone.email, "staff_group": gone.staff_group.value, "tier": "3",
            "team": str(gone.team_id), **dated(DAY)}
    html = post_form(f"/admin/people/{gone.id}/edit", data).get_data(as_text=True)
    assert "This person has left. Reactivate them before changing their team, tier or staff group." in html
    db.session.refresh(gone)
    assert gone.tier == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(~AuditEvent.action.startswith("auth."))) == 0
