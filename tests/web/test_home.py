"""Home says what to do next: for staff their returned activities, reminders, drafts, what is
left of the year and who signs off; for managers what waits for them; for education leads the
organisation's compliance and the last export."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_activity, make_person
from tracker.extensions import db
from tracker.models import ActivityStatus, ActivityType, AuditEvent, Notice


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])  # 15 October 2025
    tree = known_org["tree"]
    manager = make_person(tree["ward7"], email="ward.manager@example.org", tier=2, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"], name="Lee Lead")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=manager, name="Nia Nurse")
    observed = db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))
    returned = make_activity(nurse, observed, occurred_on=date(2025, 9, 1), status=ActivityStatus.RETURNED,
                             title="Handover role-play")
    returned.feedback = "Add what you would do differently."
    make_activity(nurse, observed, occurred_on=date(2025, 10, 1), status=ActivityStatus.DRAFT, title="Breaking bad news")
    db.session.add(Notice(person_id=nurse.id, sent_by_id=manager.id, sent_on=date(2025, 10, 14),
                          message="Please log an activity before the end of the month."))
    db.session.commit()
    known_org["nurse"], known_org["manager"] = nurse, manager
    return known_org


def home_of(client, sign_in, email: str) -> str:
    assert sign_in(email, PASSWORD).status_code == 302
    html = client.get("/").get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_staff_see_their_next_steps(client, sign_in, org):
    text = home_of(client, sign_in, "nurse@example.org")
    assert "Returned with feedback" in text and "Handover role-play" in text
    assert "Reminders from your manager" in text and "Please log an activity before the end of the month." in text
    assert "Drafts not yet submitted" in text and "Continue the draft Breaking bad news" in text
    assert "Your status: in progress ." in text and "167 days left in the year" in text
    assert "1 more experiential activity" in text
    assert "Who signs off your activities Wyn Wardmanager" in text
    assert "Your team" not in text and "Your organisation" not in text


def test_managers_see_what_waits_for_them(client, sign_in, org):
    text = home_of(client, sign_in, "ward.manager@example.org")
    # Ben's submitted activity waits; in Ward 7 Dan and Nia have not started (Nia's draft counts for nothing).
    assert "1 activity waits for your decision" in text
    assert "2 people have not started this year" in text


def test_education_leads_see_the_organisation_and_the_last_export(client, sign_in, org):
    text = home_of(client, sign_in, "lead@example.org")
    assert "No export has been made yet." in text
    client.get("/reports/export/people.csv")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/").get_data(as_text=True)))
    assert "Last export: Compliance by person (CSV), " in text
    assert re.search(r"[\d.]+% of \d+ people expected are complete this year \(target 85%\)", text)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported")) is not None


def test_someone_nobody_can_sign_off_for_is_told_whom_to_ask(client, sign_in, org):
    make_person(org["tree"]["theatres"], email="alone@example.org", name="Al Alone")
    db.session.commit()
    text = home_of(client, sign_in, "alone@example.org")
    assert "Nobody yet: your activities cannot be signed off" in text
