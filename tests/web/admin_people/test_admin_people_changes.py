"""An admin creates and edits people: bad input is named by its field and writes nothing; a new
team, tier or staff group is history from the day chosen, refused inside a closed year; roles are
granted and removed, and the last active admin cannot remove their own admin role."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person
from tests.web.admin_people.conftest import CLOSED_MESSAGE, DAY, IN_CLOSED_YEAR, IN_OPEN_YEAR
from tracker import appraisal_year
from tracker.admin.people_services import LAST_ADMIN_ROLE
from tracker.extensions import db
from tracker.models import AuditEvent, ManagerScope, Person, PersonPeriod, Role
from tracker.staff_history import periods_of


def counts() -> tuple[int, int, int]:
    """People, person periods and audit events: what a refused change must leave as it was."""
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Person, PersonPeriod, AuditEvent))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def dated(prefix: str, day: date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def new_person_form(org, **changes) -> dict:
    data = {"name": "Pat New", "email": "Pat.New@Example.org", "employee_number": "E2002", "job_title": "Porter",
            "staff_group": "Estates and Ancillary", "tier": "1", "team": str(org["tree"]["clinic"].id),
            "line_manager": "boss@example.org", "roles": ["manager"], **dated("in_post_from", DAY)}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_form(person: Person, on: date = DAY, **changes) -> dict:
    data = {"name": person.name, "email": person.email, "employee_number": person.employee_number or "",
            "job_title": person.job_title, "staff_group": person.staff_group.value, "tier": str(person.tier),
            "team": str(person.team_id), "line_manager": person.line_manager.email if person.line_manager else "",
            "roles": sorted(r.value for r in person.roles), **dated("on", on)}
    data.update(changes)
    return data


def test_an_admin_creates_a_person_in_post_from_the_day_given(client, post_form, as_admin):
    response = post_form("/admin/people/new", new_person_form(as_admin))
    person = db.session.scalar(select(Person).where(Person.email == "pat.new@example.org"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/people/{person.id}")
    assert (person.name, person.employee_number, person.job_title, person.tier, person.team_id) == (
        "Pat New", "E2002", "Porter", 1, as_admin["tree"]["clinic"].id)
    assert person.line_manager_id == as_admin["people"]["boss"].id and person.roles == {Role.MANAGER}
    assert person.active and person.password_hash is None
    assert [(p.starts_on, p.ends_on, p.tier) for p in periods_of(person)] == [(DAY, None, 1)]
    [created] = events("person.created")
    assert (created.actor_id, created.person_id) == (as_admin["people"]["admin"].id, person.id)
    assert [e.detail["role"] for e in events("role.granted")] == ["manager"]
    assert "Pat New added." in client.get(f"/admin/people/{person.id}").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter the person's full name"),
    ("email", "not-an-email", "Enter an email address in the correct format, like name@example.org."),
    ("email", "a@b", "Enter an email address in the correct format, like name@example.org."),
    ("email", "NURSE@example.org", "Someone with the email address nurse@example.org already exists."),
    ("employee_number", "E1001", "Someone else has the employee number E1001."),
    ("employee_number", "E" * 21, "The employee number must be 20 characters or fewer"),
    ("tier", "4", "Choose a tier from 1 to 3"),
    ("tier", None, "Choose a tier from 1 to 3"),
    ("staff_group", "Pirates", "Choose a staff group"),
    ("team", "999999", "Choose a team"),
    ("line_manager", "nobody@example.org", "No one in the tracker has that email address or employee number."),
    ("line_manager", "gone@example.org", "Gil Gone has left, so cannot be a line manager."),
    ("in_post_from", IN_CLOSED_YEAR, CLOSED_MESSAGE),
    ("in_post_from", DAY + timedelta(days=1), "The date must be today or in the past."),
    ("in_post_from", "", "Enter the date they start in post"),
])
def test_bad_input_to_create_is_named_by_its_field_and_writes_nothing(client, post_form, as_admin, field, value, message):
    before = counts()
    if field == "in_post_from":
        data = new_person_form(as_admin, **(dated("in_post_from", value) if value else {
            "in_post_from-day": "", "in_post_from-month": "", "in_post_from-year": ""}))
    else:
        data = new_person_form(as_admin, **{field: value})
    response = post_form("/admin/people/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert f'href="#{field}' in html and message.replace("'", "&#39;") in html
    assert counts() == before


def test_every_wrong_field_is_named_at_once(post_form, as_admin):
    html = post_form("/admin/people/new", new_person_form(
        as_admin, email="nurse@example.org", employee_number="E1001", line_manager="nobody")).get_data(as_text=True)
    for field in ("email", "employee_number", "line_manager"):
        assert f'href="#{field}"' in html


def test_an_edit_saves_the_details_and_records_what_changed(client, post_form, as_admin):
    nurse, admin = as_admin["people"]["nurse"], as_admin["people"]["admin"]
    url = f"/admin/people/{nurse.id}/edit"
    assert 'value="Nia Nurse"' in client.get(url).get_data(as_text=True)
    response = post_form(url, edit_form(nurse, name="Nia Newname", email="nia@example.org", job_title="Sister",
                                        line_manager="admin@example.org", employee_number="E1009"))
    assert response.status_code == 302
    db.session.refresh(nurse)
    assert (nurse.name, nurse.email, nurse.job_title, nurse.line_manager_id) == ("Nia Newname", "nia@example.org",
                                                                                  "Sister", admin.id)
    [changed] = events("person.changed")
    # Names, addresses and numbers only as "changed": the append-only trail must not keep them past an erasure.
    assert changed.detail["changes"] == {
        "name": "changed", "email": "changed", "employee_number": "changed", "job_title": ["Nurse", "Sister"],
        "line_manager_id": [as_admin["people"]["boss"].id, admin.id]}
    for identifying in ("Nia", "nurse@example.org", "nia@example.org", "E1001", "E1009", "password"):
        assert identifying not in str(changed.detail)
    # The line manager is dated from today: the days before keep the one they had.
    today = appraisal_year.today()
    assert [(p.starts_on, p.ends_on, p.line_manager_id) for p in periods_of(nurse)] == [
        (date(1900, 1, 1), today - timedelta(days=1), as_admin["people"]["boss"].id), (today, None, admin.id)]


def test_a_tier_change_dated_in_the_open_year_is_history_from_that_day(post_form, as_admin):
    nurse = as_admin["people"]["nurse"]
    response = post_form(f"/admin/people/{nurse.id}/edit", edit_form(nurse, on=IN_OPEN_YEAR, tier="3"))
    assert response.status_code == 302
    db.session.refresh(nurse)
    assert nurse.tier == 3
    assert [(p.starts_on, p.ends_on, p.tier) for p in periods_of(nurse)] == [
        (date(1900, 1, 1), IN_OPEN_YEAR - timedelta(days=1), 2), (IN_OPEN_YEAR, None, 3)]
    [changed] = events("person.changed")
    assert changed.detail == {"changes": {"tier": [2, 3]}, "from": IN_OPEN_YEAR.isoformat()}


def test_a_team_and_staff_group_change_moves_them_from_the_day(post_form, as_admin):
    nurse, clinic = as_admin["people"]["nurse"], as_admin["tree"]["clinic"]
    post_form(f"/admin/people/{nurse.id}/edit", edit_form(nurse, team=str(clinic.id), staff_group="Students"))
    db.session.refresh(nurse)
    assert [(p.starts_on, p.team_id, p.staff_group.value) for p in periods_of(nurse)] == [
        (date(1900, 1, 1), as_admin["tree"]["ward7"].id, "Nursing and Midwifery Registered"),
        (DAY, clinic.id, "Students")]


@pytest.mark.parametrize("day, message", [
    (IN_CLOSED_YEAR, CLOSED_MESSAGE),
    (DAY + timedelta(days=1), "The date must be today or in the past."),
])
def test_a_tier_change_dated_in_a_closed_year_or_the_future_is_refused_by_the_date(post_form, as_admin, day, message):
    nurse = as_admin["people"]["nurse"]
    before = counts()
    html = post_form(f"/admin/people/{nurse.id}/edit", edit_form(nurse, on=day, tier="3", name="Not Saved")
                     ).get_data(as_text=True)
    assert 'href="#on"' in html and message in html
    db.session.refresh(nurse)
    assert (nurse.tier, nurse.name) == (2, "Nia Nurse")
    assert counts() == before and len(periods_of(nurse)) == 1


@pytest.mark.parametrize("typed, message", [
    ("nurse@example.org", "A person cannot be their own line manager."),
    ("E1001", "A person cannot be their own line manager."),
])
def test_nobody_is_their_own_line_manager(post_form, as_admin, typed, message):
    nurse = as_admin["people"]["nurse"]
    html = post_form(f"/admin/people/{nurse.id}/edit", edit_form(nurse, line_manager=typed)).get_data(as_text=True)
    assert 'href="#line_manager"' in html and message in html


def test_a_line_manager_cycle_is_refused(post_form, as_admin):
    boss, nurse = as_admin["people"]["boss"], as_admin["people"]["nurse"]
    porter = make_person(as_admin["tree"]["ward7"], email="porter@example.org", name="Pat Porter", line_manager=nurse)
    db.session.commit()
    html = post_form(f"/admin/people/{boss.id}/edit", edit_form(boss, line_manager="porter@example.org")
                     ).get_data(as_text=True)
    assert 'href="#line_manager"' in html
    assert "Pat Porter reports to Bob Boss, directly or through others, so cannot be their line manager." in html
    db.session.refresh(boss)
    assert boss.line_manager_id is None and porter.line_manager_id == nurse.id


def test_removing_the_manager_role_leaves_scopes_and_ends_sessions(app, post_form, as_admin):
    boss = as_admin["people"]["boss"]
    boss_client = app.test_client()
    boss_client.post("/sign-in", data={"email": "boss@example.org", "password": PASSWORD,
                                       "csrf_token": _token(boss_client)})
    assert boss_client.get("/team/").status_code == 200
    post_form(f"/admin/people/{boss.id}/edit", edit_form(boss, roles=["education_lead"]))
    db.session.refresh(boss)
    assert boss.roles == {Role.EDUCATION_LEAD}
    assert db.session.scalar(select(func.count()).select_from(ManagerScope).where(ManagerScope.person_id == boss.id)) == 1
    assert [(e.action, e.detail["role"]) for e in events("role.removed") + events("role.granted")] == [
        ("role.removed", "manager"), ("role.granted", "education_lead")]
    assert "/sign-in" in boss_client.get("/team/").headers["Location"]


def _token(client) -> str:
    from tests.support import csrf_token_from
    return csrf_token_from(client.get("/sign-in").get_data(as_text=True))


def test_the_last_active_admin_cannot_remove_their_own_admin_role(client, post_form, as_admin):
    admin = as_admin["people"]["admin"]
    before = counts()
    html = post_form(f"/admin/people/{admin.id}/edit", edit_form(admin, roles=["manager"])).get_data(as_text=True)
    assert 'href="#roles"' in html and LAST_ADMIN_ROLE in html
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN} and counts() == before


def test_an_admin_may_remove_their_own_admin_role_when_another_admin_is_active(client, post_form, as_admin):
    admin = as_admin["people"]["admin"]
    make_person(as_admin["tree"]["trust"], email="second@example.org", roles=["admin"])
    db.session.commit()
    response = post_form(f"/admin/people/{admin.id}/edit", edit_form(admin, roles=[]))
    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.roles == set()
    # Still signed in (their own session is renewed), but no longer an admin.
    assert client.get("/admin/people").status_code == 403


def test_a_left_admin_does_not_count_as_another_admin(post_form, as_admin):
    admin = as_admin["people"]["admin"]
    make_person(as_admin["tree"]["trust"], email="former@example.org", roles=["admin"], active=False)
    db.session.commit()
    html = post_form(f"/admin/people/{admin.id}/edit", edit_form(admin, roles=[])).get_data(as_text=True)
    assert LAST_ADMIN_ROLE in html


def test_a_person_whose_line_manager_left_can_still_be_edited(post_form, as_admin):
    nurse, boss = as_admin["people"]["nurse"], as_admin["people"]["boss"]
    boss.active = False
    db.session.commit()
    response = post_form(f"/admin/people/{nurse.id}/edit", edit_form(nurse, job_title="Sister"))
    assert response.status_code == 302
    db.session.refresh(nurse)
    assert (nurse.job_title, nurse.line_manager_id) == ("Sister", boss.id)


def test_the_add_a_person_page_starts_in_post_today(client, as_admin):
    html = client.get("/admin/people/new").get_data(as_text=True)
    assert "<h1>Add a person</h1>" in html and "Add person" in html
    assert 'name="in_post_from-day" type="text" value="15"' in html
    assert 'value="10"' in html and 'value="2025"' in html


def test_the_people_list_costs_the_same_queries_however_many_people(client, as_admin, count_queries):
    def queries() -> int:
        db.session.expire_all()  # each time, the signed-in admin is read afresh
        with count_queries() as counter:
            assert client.get("/admin/people?status=active").status_code == 200
        return counter.count

    few = queries()
    for n in range(30):
        make_person(as_admin["tree"]["ward7"], roles=["manager"] if n % 2 else [], line_manager=as_admin["people"]["boss"])
    db.session.commit()
    assert queries() == few
