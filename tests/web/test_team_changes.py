"""Managers change exemptions after recording them: correct them, end them early (a return from
leave), record them open-ended and review those, delete one recorded in error. Every change is
audited; nothing that would alter a closed appraisal year is allowed; ids outside the manager's
scope are not found and staff are refused (each POST with a real CSRF token)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person, make_tree
from tests.rule_by_hand import progress_by_hand
from tracker import compliance, figures, staff_history
from tracker.appraisal_year import year_containing
from tracker.audit import subject_id_of
from tracker.extensions import db
from tracker.models import AuditEvent, Exemption, ExemptionReason
from tracker.roster import Roster
from tracker.year_closing import closed_message_for, first_open_day


@pytest.fixture
def org(db_session):
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    make_person(tree["clinic"], email="clinic@example.org", tier=3, roles=["manager"],
                scope=[tree["clinic"]], name="Cleo Clinicmanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=manager, name="Nia Nurse")
    db.session.commit()  # a SAVEPOINT release: survives a view's rollback
    return {"tree": tree, "manager": manager, "nurse": nurse}


def exemption_of(person, starts_on: date, ends_on: date | None, reason=ExemptionReason.PARENTAL_LEAVE,
                 detail="") -> Exemption:
    exemption = Exemption(person_id=person.id, reason=reason, reason_detail=detail, starts_on=starts_on,
                          ends_on=ends_on)
    db.session.add(exemption)
    db.session.commit()
    return exemption


def login(sign_in, email="manager@example.org"):
    assert sign_in(email, PASSWORD).status_code == 302


def text_of(response) -> str:
    return response.get_data(as_text=True)


def dates(prefix: str, day: date | None) -> dict:
    if day is None:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def exemption_form(start: date, end: date | None, reason="parental_leave", detail="") -> dict:
    return {"reason": reason, "reason_detail": detail, **dates("starts_on", start), **dates("ends_on", end)}


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def current(exemption: Exemption) -> Exemption | None:
    db.session.expire_all()
    return db.session.get(Exemption, exemption.id)


def field_error(html: str, field_id: str) -> str:
    """The message the NHS date input shows by a date field."""
    match = re.search(rf'id="{field_id}-group-error"\s*>\s*<span class="nhsuk-u-visually-hidden">Error: </span>'
                      r"([^<]*?)\s*</span>", html)
    assert match, f"no error on {field_id}"
    return match.group(1)


# --- open-ended exemptions -------------------------------------------------------------


def test_an_exemption_recorded_without_an_end_is_open_ended_and_listed_for_review(client, sign_in, post_form,
                                                                                  org, today):
    login(sign_in)
    nurse = org["nurse"]
    response = post_form(f"/team/people/{nurse.id}/exemptions/new", exemption_form(today, None))
    assert response.status_code == 302
    exemption = db.session.scalar(select(Exemption))
    assert exemption.ends_on is None
    assert audit("exemption.recorded")[0].detail["ends_on"] is None
    person_page = text_of(client.get(f"/team/people/{nurse.id}"))
    assert "Open-ended" in person_page and "1 open-ended exemption to review" in person_page
    dashboard = text_of(client.get("/team/"))
    assert "1 open-ended exemption to review" in dashboard and "/team/exemptions/open-ended" in dashboard
    listed = text_of(client.get("/team/exemptions/open-ended"))
    assert "Nia Nurse" in listed and f"/team/exemptions/{exemption.id}/end" in listed
    assert "Nia Nurse" in text_of(client.get("/team/?status=exempt"))


def test_the_exemption_form_says_a_blank_end_makes_it_open_ended(client, sign_in, org):
    login(sign_in)
    html = text_of(client.get(f"/team/people/{org['nurse'].id}/exemptions/new"))
    assert ("Leave blank if you do not know when it ends; it will show as open-ended so you can review it"
            in html)


def test_open_ended_exemptions_of_another_team_are_not_listed(client, sign_in, org, today):
    exemption_of(org["nurse"], today, None)
    login(sign_in, "clinic@example.org")
    assert "Nia Nurse" not in text_of(client.get("/team/exemptions/open-ended"))
    assert "open-ended exemption" not in text_of(client.get("/team/"))


def test_an_open_ended_exemption_counts_as_exempt_in_every_later_year(org, today):
    """Started two years ago and never ended: exempt this year, in the SQL and by hand alike."""
    year = year_containing(today)
    exemption_of(org["nurse"], year.previous().previous().starts_on, None)
    people = Roster.of(year, today).people()
    statuses = {row.person_id: row.status for row in db.session.execute(compliance.status_query(people, year, today))}
    assert statuses[org["nurse"].id] == compliance.Status.EXEMPT.value
    by_hand = progress_by_hand(year, today, compliance.load_rules(year))
    assert by_hand[org["nurse"].id].status == compliance.Status.EXEMPT
    tally = figures.roll_up(figures.status_cube(people, year, today, compliance.load_rules(year)))
    assert tally[compliance.Status.EXEMPT] == 1


def test_an_open_ended_exemption_not_yet_started_does_not_count(org, today):
    year = year_containing(today)
    exemption_of(org["nurse"], today + timedelta(days=1), None)
    by_hand = progress_by_hand(year, today, compliance.load_rules(year))
    assert by_hand[org["nurse"].id].status != compliance.Status.EXEMPT
    people = Roster.of(year, today).people()
    statuses = {row.person_id: row.status for row in db.session.execute(compliance.status_query(people, year, today))}
    assert statuses[org["nurse"].id] == by_hand[org["nurse"].id].status.value


# --- changing ---------------------------------------------------------------------------


def test_change_an_exemption_and_the_trail_says_what_changed(client, sign_in, post_form, org, today):
    exemption = exemption_of(org["nurse"], today, today + timedelta(days=30))
    login(sign_in)
    person_page = text_of(client.get(f"/team/people/{org['nurse'].id}"))
    url = f"/team/exemptions/{exemption.id}/change"
    assert url in person_page
    form_page = text_of(client.get(url))
    assert "Change an exemption" in form_page and f'value="{today.year}"' in form_page
    response = post_form(url, exemption_form(today, None, reason="other", detail="Jury service"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/team/people/{org['nurse'].id}#exemptions"
    changed = current(exemption)
    assert (changed.reason, changed.reason_detail, changed.ends_on) == (ExemptionReason.OTHER, "Jury service", None)
    [event] = audit("exemption.changed")
    assert event.detail["ends_on"] == {"from": (today + timedelta(days=30)).isoformat(), "to": None}
    assert event.detail["reason"] == {"from": "parental_leave", "to": "other"}
    assert event.detail["reason_detail"] == "changed" and "Jury" not in str(event.detail)
    assert event.about_subject_id == subject_id_of(org["nurse"].id)


@pytest.mark.parametrize("data,field,message", [
    (lambda today: exemption_form(today, today - timedelta(days=1)), "ends_on",
     "The end date must be the same as or after the start date"),
    (lambda today: exemption_form(today, None, reason="other"), "reason_detail", "Describe the reason for the exemption"),
    (lambda today: {**exemption_form(today, None), "starts_on-day": ""}, "starts_on", "Start date must include a day"),
])
def test_a_change_with_errors_changes_nothing(client, sign_in, post_form, org, today, data, field, message):
    exemption = exemption_of(org["nurse"], today, today + timedelta(days=30))
    login(sign_in)
    response = post_form(f"/team/exemptions/{exemption.id}/change", data(today))
    html = text_of(response)
    assert response.status_code == 200 and "There is a problem" in html and message in html
    assert current(exemption).ends_on == today + timedelta(days=30) and not audit("exemption.changed")


# --- ending early -----------------------------------------------------------------------


def test_end_an_exemption_early_when_someone_returns(client, sign_in, post_form, org, today):
    exemption = exemption_of(org["nurse"], today - timedelta(days=40), None)
    login(sign_in)
    url = f"/team/exemptions/{exemption.id}/end"
    assert url in text_of(client.get(f"/team/people/{org['nurse'].id}"))
    page = text_of(client.get(url))
    assert "End an exemption early" in page and f'value="{today.day}"' in page and "Open-ended" in page
    response = post_form(url, dates("ends_on", today - timedelta(days=1)))
    assert response.status_code == 302
    assert current(exemption).ends_on == today - timedelta(days=1)
    [event] = audit("exemption.ended")
    assert event.detail["ends_on"] == {"from": None, "to": (today - timedelta(days=1)).isoformat()}
    assert event.about_subject_id == subject_id_of(org["nurse"].id)
    assert "Exemption ended for Nia Nurse" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("offset,message", [
    (-41, "The last day must be the same as or after the day the exemption started"),
    (10, "The last day must be before"),
    (None, "Enter the last day of the exemption"),
])
def test_ending_early_is_checked(client, sign_in, post_form, org, today, offset, message):
    exemption = exemption_of(org["nurse"], today - timedelta(days=40), today + timedelta(days=10))
    login(sign_in)
    day = None if offset is None else today + timedelta(days=offset)
    response = post_form(f"/team/exemptions/{exemption.id}/end", dates("ends_on", day))
    assert response.status_code == 200 and message in field_error(text_of(response), "ends_on")
    assert current(exemption).ends_on == today + timedelta(days=10) and not audit("exemption.ended")


# --- deleting ---------------------------------------------------------------------------


def test_delete_an_exemption_recorded_in_error_after_confirming(client, sign_in, post_form, org, today):
    exemption = exemption_of(org["nurse"], today, today + timedelta(days=5))
    login(sign_in)
    url = f"/team/exemptions/{exemption.id}/delete"
    assert url in text_of(client.get(f"/team/people/{org['nurse'].id}"))
    page = text_of(client.get(url))
    assert "Delete this exemption" in page and "Yes, delete it" in page
    assert current(exemption) is not None  # opening the page deletes nothing
    response = post_form(url, {})
    assert response.status_code == 302
    assert current(exemption) is None
    [event] = audit("exemption.deleted")
    assert event.detail["starts_on"] == today.isoformat() and event.detail["reason"] == "parental_leave"
    assert "No exemptions recorded." in text_of(client.get(f"/team/people/{org['nurse'].id}"))


# --- closed years -----------------------------------------------------------------------


@pytest.fixture
def closed_day(today) -> date:
    """The last day of the year before last: always in a closed appraisal year."""
    return year_containing(today).previous().previous().ends_on


def test_an_exemption_reaching_into_a_closed_year_may_only_have_its_end_moved(client, sign_in, post_form,
                                                                              org, today, closed_day):
    exemption = exemption_of(org["nurse"], closed_day - timedelta(days=10), None)
    message = closed_message_for(closed_day, today)
    login(sign_in)
    person_page = text_of(client.get(f"/team/people/{org['nurse'].id}"))
    assert f"/team/exemptions/{exemption.id}/change" in person_page
    assert f"/team/exemptions/{exemption.id}/delete" not in person_page  # not offered
    url = f"/team/exemptions/{exemption.id}/change"
    moved_start = post_form(url, exemption_form(closed_day - timedelta(days=5), None))
    assert field_error(text_of(moved_start), "starts_on") == message
    new_reason = post_form(url, exemption_form(closed_day - timedelta(days=10), None, reason="secondment"))
    assert message in text_of(new_reason)
    end_in_closed_year = post_form(url, exemption_form(closed_day - timedelta(days=10), closed_day))
    assert field_error(text_of(end_in_closed_year), "ends_on") == message
    deleted = post_form(f"/team/exemptions/{exemption.id}/delete", {})
    assert deleted.status_code == 200 and message in text_of(deleted)
    assert current(exemption).ends_on is None and current(exemption).starts_on == closed_day - timedelta(days=10)
    assert not audit("exemption.changed") and not audit("exemption.deleted")
    # Ending it now, or setting an end in the open years, leaves the closed year as it was.
    assert post_form(url, exemption_form(closed_day - timedelta(days=10), today + timedelta(days=3))).status_code == 302
    assert post_form(f"/team/exemptions/{exemption.id}/end", dates("ends_on", today)).status_code == 302
    assert current(exemption).ends_on == today


def test_an_exemption_wholly_in_a_closed_year_cannot_change(client, sign_in, post_form, org, today, closed_day):
    exemption = exemption_of(org["nurse"], closed_day - timedelta(days=10), closed_day)
    login(sign_in)
    person_page = text_of(client.get(f"/team/people/{org['nurse'].id}"))
    assert f"/team/exemptions/{exemption.id}/" not in person_page
    response = post_form(f"/team/exemptions/{exemption.id}/change",
                         exemption_form(closed_day - timedelta(days=10), today))
    assert field_error(text_of(response), "ends_on") == closed_message_for(closed_day, today)
    response = post_form(f"/team/exemptions/{exemption.id}/end", dates("ends_on", closed_day - timedelta(days=1)))
    assert field_error(text_of(response), "ends_on") == closed_message_for(closed_day, today)
    assert current(exemption).ends_on == closed_day


def test_an_open_exemption_cannot_be_moved_into_a_closed_year(client, sign_in, post_form, org, today, closed_day):
    exemption = exemption_of(org["nurse"], max(today, first_open_day(today)), None)
    login(sign_in)
    response = post_form(f"/team/exemptions/{exemption.id}/change", exemption_form(closed_day, None))
    assert field_error(text_of(response), "starts_on") == closed_message_for(closed_day, today)
    assert current(exemption).starts_on == max(today, first_open_day(today))


# --- who may ----------------------------------------------------------------------------

ROUTES = [("get", "change"), ("get", "end"), ("get", "delete"), ("post", "change"), ("post", "end"), ("post", "delete")]


@pytest.mark.parametrize("method,page", ROUTES)
def test_another_managers_exemption_is_not_found(client, sign_in, post_form, org, today, method, page):
    exemption = exemption_of(org["nurse"], today, None)
    login(sign_in, "clinic@example.org")
    url = f"/team/exemptions/{exemption.id}/{page}"
    if method == "get":
        assert client.get(url).status_code == 404
    else:
        data = {**exemption_form(today, today), **dates("ends_on", today)}
        assert post_form(url, data, token_from="/team/").status_code == 404
    assert current(exemption).ends_on is None


@pytest.mark.parametrize("method,page", ROUTES + [("get", "open-ended")])
def test_staff_are_refused(client, sign_in, post_form, org, today, method, page):
    exemption = exemption_of(org["nurse"], today, None)
    login(sign_in, "nurse@example.org")
    url = "/team/exemptions/open-ended" if page == "open-ended" else f"/team/exemptions/{exemption.id}/{page}"
    if method == "get":
        assert client.get(url).status_code == 403
    else:
        assert post_form(url, dates("ends_on", today), token_from="/").status_code == 403
    assert current(exemption).ends_on is None
    assert db.session.scalar(select(func.count()).select_from(Exemption)) == 1


def test_tampered_exemption_ids_are_not_found(client, sign_in, org):
    login(sign_in)
    for page in ("change", "end", "delete"):
        assert client.get(f"/team/exemptions/999999/{page}").status_code == 404


def test_someone_who_moved_away_is_shown_read_only_in_an_earlier_year(client, sign_in, org, today):
    """Last year's figures keep them on the old manager's pages; their exemptions are now their new manager's."""
    exemption = exemption_of(org["nurse"], today - timedelta(days=400), None)
    staff_history.change(org["nurse"], today, team=org["tree"]["clinic"])
    db.session.commit()
    login(sign_in)
    last_year = year_containing(today).previous().start_year
    page = text_of(client.get(f"/team/people/{org['nurse'].id}?year={last_year}"))
    assert "Open-ended" in page and f"/team/exemptions/{exemption.id}/" not in page
    assert client.get(f"/team/exemptions/{exemption.id}/end").status_code == 404
