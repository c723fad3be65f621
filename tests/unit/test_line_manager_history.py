"""A line manager is dated like a team: each person period carries the line manager of its days,
so a change recorded today never rewrites the days before it (and a closed year's export)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_person, make_tree
from tests.staff_files import as_csv, number, organisation, staff_row
from tracker import staff_history
from tracker.extensions import db
from tracker.models import Person, PersonPeriod
from tracker.staff_import import Options, apply_plan, build


@pytest.fixture
def tree(db_session):
    tree = make_tree()
    db.session.commit()
    return tree


def periods(person: Person) -> list[tuple]:
    return [(p.starts_on, p.ends_on, p.line_manager_id) for p in staff_history.periods_of(person)]


def test_a_new_line_manager_holds_from_the_day_given_and_the_days_before_keep_theirs(tree, today):
    first, second = make_person(tree["ward7"]), make_person(tree["ward7"])
    nurse = make_person(tree["ward7"], line_manager=first)
    start = staff_history.periods_of(nurse)[0].starts_on
    staff_history.change(nurse, today, line_manager=second)
    assert nurse.line_manager_id == second.id
    assert periods(nurse) == [(start, today - timedelta(days=1), first.id), (today, None, second.id)]
    staff_history.change(nurse, today, line_manager=None)
    assert nurse.line_manager_id is None
    assert periods(nurse)[-1] == (today, None, None)


def test_other_changes_keep_the_line_manager_of_the_period_they_split(tree, today):
    boss = make_person(tree["ward7"])
    nurse = make_person(tree["ward7"], line_manager=boss)
    staff_history.change(nurse, today, team=tree["clinic"])
    assert [manager for _, _, manager in periods(nurse)] == [boss.id, boss.id]


def test_a_leaver_gets_a_new_line_manager_for_today_only(tree, today):
    boss, other = make_person(tree["ward7"]), make_person(tree["ward7"])
    nurse = make_person(tree["ward7"], line_manager=boss)
    staff_history.leave(nurse, today - timedelta(days=1))
    before = periods(nurse)
    staff_history.change(nurse, today, line_manager=other)
    assert nurse.line_manager_id == other.id and periods(nurse) == before


def test_the_staff_import_dates_a_new_line_manager_with_the_extract(tree, today):
    old_boss, new_boss = make_person(tree["ward7"], name="Old Boss"), make_person(tree["ward7"], name="New Boss")
    old_boss.employee_number, new_boss.employee_number = number(90), number(91)
    nurse = make_person(tree["ward7"], email="given1.family1@example.nhs.uk", name="Given1 Family1",
                        line_manager=old_boss)
    nurse.employee_number, nurse.job_title = number(1), "Staff Nurse"
    db.session.commit()
    start = staff_history.periods_of(nurse)[0].starts_on
    apply_plan(build(as_csv([staff_row(1, manager=number(91))]), Options(today)))
    db.session.commit()
    db.session.refresh(nurse)
    assert nurse.line_manager_id == new_boss.id
    assert periods(nurse) == [(start, today - timedelta(days=1), old_boss.id), (today, None, new_boss.id)]


def test_new_people_start_in_post_with_the_line_manager_the_extract_names(tree, today):
    apply_plan(build(as_csv(organisation(3)), Options(today)))
    db.session.commit()
    ids = dict(db.session.execute(select(Person.employee_number, Person.id)).all())
    found = dict(db.session.execute(select(PersonPeriod.person_id, PersonPeriod.line_manager_id)).all())
    assert found == {ids[number(0)]: None, ids[number(1)]: ids[number(0)], ids[number(2)]: ids[number(0)]}
