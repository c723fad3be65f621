"""The staff importer: a workforce extract becomes a preview plan; "Apply import" writes it in
one transaction or not at all; a re-run changes nothing; hostile files get one clear message."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_person, make_tree, make_unit
from tests.staff_files import HEADINGS, as_csv, as_xlsx, number, organisation, staff_row
from tracker.extensions import db
from tracker.models import AuditEvent, ImportHeading, Person, PersonPeriod, StaffGroup, UnitKind
from tracker.staff_import import APPLIED, Options, StaffFileError, apply_plan, build
from tracker.staff_import.headers import remember


@pytest.fixture
def tree(db_session):
    tree = make_tree()
    db.session.commit()
    return tree


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def imported(raw: bytes, today, **options):
    plan = build(raw, Options(today, **{k: v for k, v in options.items() if k != "parent"}))
    result = apply_plan(plan, None, options.get("parent"))
    db.session.commit()
    return plan, result


def test_a_new_organisation_is_created_in_post_from_the_extract_date(tree, today):
    plan, result = imported(as_csv(organisation(5)), today)
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    person = db.session.scalar(select(Person).where(Person.employee_number == number(3)))
    assert person.name == "Given3 Family3" and person.email == "given3.family3@example.nhs.uk"
    assert person.team_id == tree["ward7"].id and person.tier == 2 and person.from_import
    assert person.line_manager.employee_number == number(0)
    period = db.session.scalar(select(PersonPeriod).where(PersonPeriod.person_id == person.id))
    assert period.starts_on == today and period.ends_on is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == APPLIED))
    assert event.detail["created"] == 5


def test_a_rerun_of_the_same_file_changes_nothing(tree, today):
    raw = as_csv(organisation(6))
    imported(raw, today)
    plan = build(raw, Options(today, whole_organisation=True))
    assert (len(plan.creates), len(plan.updates), plan.unchanged, len(plan.leavers)) == (0, 0, 6, 0)
