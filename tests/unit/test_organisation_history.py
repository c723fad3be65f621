"""Moves, renames, tier changes, leavers and rejoiners are dated: the organisation of an earlier
day stays as it was, today's access follows today's tree, and nothing is dated into a closed year
or the future."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_person, make_tree
from tracker import access, staff_history
from tracker.extensions import db
from tracker.models import PersonPeriod, StaffGroup
from tracker.organisation import move_unit, rename_unit
from tracker.refusal import Refused
from tracker.roster import Roster

TODAY = date(2026, 6, 15)  # the 2026 year is open, 2025 closed on 30 April 2026
YESTERDAY = TODAY - timedelta(days=1)
CLOSED_DAY = date(2026, 3, 1)
CLOSED_MESSAGE = "The 2025 to 2026 appraisal year closed at the end of 30 April 2026, so nothing dated in it can be changed"


@pytest.fixture
def tree(db_session, clock):
    clock.move_to(TODAY)
    return make_tree()


def team_on(day: date, person) -> int | None:
    row = db.session.execute(Roster(day).people().where(PersonPeriod.person_id == person.id)).first()
    return row.team_id if row else None


def under(day: date, unit) -> set[int]:
    return set(db.session.scalars(Roster(day).units_under([unit.id])))


def refusal(call) -> dict:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.errors


def test_a_moved_unit_stays_under_its_old_parent_on_earlier_days(tree):
    clinic, cancer, surgery = tree["clinic"], tree["cancer"], tree["surgery"]
    move_unit(clinic, surgery, TODAY)
    db.session.flush()
    assert clinic.id in under(YESTERDAY, cancer) and clinic.id not in under(YESTERDAY, surgery)
    assert clinic.id in under(TODAY, surgery) and clinic.id not in under(TODAY, cancer)
    # Today's access follows today's tree only.
    assert clinic.id not in set(db.session.scalars(access.units_under([cancer.id])))
    assert clinic.id in set(db.session.scalars(access.units_under([surgery.id])))
    assert {u.parent_id for u in Roster(YESTERDAY).units([clinic.id])} == {cancer.id}


def test_a_unit_cannot_move_under_itself_or_beneath_itself(tree):
    for parent in (tree["cancer"], tree["ward7"]):
        errors = refusal(lambda: move_unit(tree["cancer"], parent, TODAY))
        assert errors == {"parent": "A unit cannot move under itself or a unit beneath it."}
    assert tree["cancer"].parent_id == tree["trust"].id


def test_a_renamed_unit_keeps_its_old_name_on_earlier_days(tree):
    rename_unit(tree["ward7"], "Ward 7 (Haematology and Oncology)", TODAY)
    db.session.flush()
    assert [u.name for u in Roster(YESTERDAY).units([tree["ward7"].id])] == ["Ward 7 (Oncology)"]
    assert [u.name for u in Roster(TODAY).units([tree["ward7"].id])] == ["Ward 7 (Haematology and Oncology)"]
    assert tree["ward7"].name == "Ward 7 (Haematology and Oncology)"


@pytest.mark.parametrize("day, message", [
    (CLOSED_DAY, CLOSED_MESSAGE),
    (TODAY + timedelta(days=1), "The date must be today or in the past."),
])
def test_tree_changes_are_never_dated_into_a_closed_year_or_the_future(tree, day, message):
    assert refusal(lambda: move_unit(tree["clinic"], tree["surgery"], day)) == {"on": message}
    assert refusal(lambda: rename_unit(tree["clinic"], "Day Unit", day)) == {"on": message}
    assert tree["clinic"].parent_id == tree["cancer"].id and tree["clinic"].name == "Chemotherapy Day Unit"


def test_a_move_back_dated_into_the_open_year_holds_from_that_day(tree):
    nurse = make_person(tree["ward7"], tier=1)
    moved_on = date(2026, 5, 10)
    staff_history.change(nurse, moved_on, team=tree["clinic"], tier=2, staff_group=StaffGroup.ALLIED_HEALTH)
    db.session.flush()
    assert team_on(moved_on - timedelta(days=1), nurse) == tree["ward7"].id
    assert team_on(moved_on, nurse) == team_on(TODAY, nurse) == tree["clinic"].id
    assert (nurse.team_id, nurse.tier, nurse.staff_group) == (tree["clinic"].id, 2, StaffGroup.ALLIED_HEALTH)
    before = db.session.execute(Roster(CLOSED_DAY).people().where(PersonPeriod.person_id == nurse.id)).one()
    assert (before.tier, before.staff_group) == (1, StaffGroup.NURSING_MIDWIFERY)


def test_changes_dated_into_a_closed_year_are_refused_and_change_nothing(tree):
    nurse = make_person(tree["ward7"], tier=1)
    assert refusal(lambda: staff_history.change(nurse, CLOSED_DAY, tier=3)) == {"on": CLOSED_MESSAGE}
    assert refusal(lambda: staff_history.leave(nurse, CLOSED_DAY)) == {"on": CLOSED_MESSAGE}
    assert nurse.tier == 1 and nurse.active
    assert len(staff_history.periods_of(nurse)) == 1


def test_a_leaver_counts_until_the_day_before_leaving_and_a_rejoiner_from_their_return(tree):
    nurse = make_person(tree["ward7"])
    token = nurse.session_token
    left_on = date(2026, 5, 20)
    staff_history.leave(nurse, left_on)
    db.session.flush()
    assert not nurse.active and nurse.session_token != token
    assert team_on(left_on - timedelta(days=1), nurse) == tree["ward7"].id
    assert team_on(left_on, nurse) is None and team_on(TODAY, nurse) is None
    assert refusal(lambda: staff_history.change(nurse, TODAY, tier=3)) == {"form": "This person has left; rejoin them first."}
    assert refusal(lambda: staff_history.rejoin(nurse, left_on - timedelta(days=1))) == {"on": "Choose a day after they left."}
    staff_history.rejoin(nurse, TODAY, team=tree["theatres"])
    db.session.flush()
    assert nurse.active and team_on(TODAY, nurse) == tree["theatres"].id
    assert team_on(YESTERDAY, nurse) is None and team_on(left_on - timedelta(days=1), nurse) == tree["ward7"].id
    assert refusal(lambda: staff_history.rejoin(nurse, TODAY)) == {"form": "This person is already in post."}


def test_periods_never_overlap_after_several_changes(tree):
    nurse = make_person(tree["ward7"])
    staff_history.change(nurse, date(2026, 5, 20), tier=3)
    staff_history.change(nurse, date(2026, 5, 10), team=tree["clinic"])
    db.session.flush()
    periods = db.session.execute(select(PersonPeriod.starts_on, PersonPeriod.ends_on, PersonPeriod.team_id,
                                        PersonPeriod.tier).where(PersonPeriod.person_id == nurse.id)
                                 .order_by(PersonPeriod.starts_on)).all()
    ward7, clinic = tree["ward7"].id, tree["clinic"].id
    assert [tuple(p) for p in periods] == [
        (date(1900, 1, 1), date(2026, 5, 9), ward7, 2),
        (date(2026, 5, 10), date(2026, 5, 19), clinic, 2),
        (date(2026, 5, 20), None, clinic, 3),
    ]
