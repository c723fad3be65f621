"""Closing a unit, and several changes to one unit on one day: the dated rows stay one unbroken
line per unit, and every earlier day keeps the tree of its time."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_person, make_tree, make_unit
from tracker.extensions import db
from tracker.models import UnitClosure, UnitKind, UnitPeriod
from tracker.organisation import add_unit, close_unit, move_unit, rename_unit
from tracker.refusal import Refused
from tracker.roster import Roster

TODAY = date(2026, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def tree(db_session, clock):
    clock.move_to(TODAY)
    return make_tree()


def periods(unit) -> list[tuple]:
    return list(db.session.execute(select(UnitPeriod.starts_on, UnitPeriod.ends_on, UnitPeriod.name, UnitPeriod.parent_id)
                                   .where(UnitPeriod.unit_id == unit.id).order_by(UnitPeriod.starts_on)).all())


def closure(unit) -> set[tuple]:
    return set(db.session.execute(select(UnitClosure.ancestor_id, UnitClosure.starts_on, UnitClosure.ends_on)
                                  .where(UnitClosure.descendant_id == unit.id)).all())


def refusal(call) -> dict:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.errors


def test_a_rename_and_two_moves_on_one_day_leave_one_period_from_that_day(tree):
    clinic, cancer, surgery, trust = tree["clinic"], tree["cancer"], tree["surgery"], tree["trust"]
    rename_unit(clinic, "Day Unit", TODAY)
    move_unit(clinic, surgery, TODAY)
    move_unit(clinic, cancer, TODAY)
    db.session.flush()
    since_ever = periods(clinic)[0][0]
    assert periods(clinic) == [(since_ever, YESTERDAY, "Chemotherapy Day Unit", cancer.id),
                               (TODAY, None, "Day Unit", cancer.id)]
    # The rows of the day under Surgery never held: gone, not ended before they began.
    assert closure(clinic) == {(clinic.id, since_ever, None), (cancer.id, since_ever, YESTERDAY),
                               (trust.id, since_ever, YESTERDAY), (cancer.id, TODAY, None), (trust.id, TODAY, None)}


def test_a_closed_unit_leaves_the_tree_from_its_closing_day_only(tree):
    old = make_unit("Old Ward", UnitKind.TEAM, tree["cancer"])
    close_unit(old, TODAY)
    db.session.flush()
    assert old.closed_on == TODAY
    assert [u.name for u in Roster(YESTERDAY).children(tree["cancer"].id)] == [
        "Chemotherapy Day Unit", "Old Ward", "Ward 7 (Oncology)"]
    assert "Old Ward" not in [u.name for u in Roster(TODAY).children(tree["cancer"].id)]
    assert all(ends == YESTERDAY for _, _, ends in closure(old))
    assert refusal(lambda: close_unit(old, TODAY)) == {"form": "This unit is already closed."}


def test_a_unit_added_and_closed_on_one_day_never_held(tree):
    brief = add_unit("Pop-up clinic", UnitKind.TEAM, tree["cancer"], on=TODAY)
    close_unit(brief, TODAY)
    db.session.flush()
    assert periods(brief) == [] and closure(brief) == set()


def test_closing_is_refused_while_people_or_open_units_are_in_it(tree):
    make_person(tree["ward7"])
    assert "1 person is in it" in refusal(lambda: close_unit(tree["ward7"], TODAY))["form"]
    assert "units beneath it are open" in refusal(lambda: close_unit(tree["surgery"], TODAY))["form"]
    assert refusal(lambda: close_unit(tree["trust"], TODAY)) == {"form": "The organisation itself cannot be closed."}


def test_nothing_goes_under_a_unit_before_it_stood_there(tree):
    new = add_unit("New directorate", UnitKind.DIRECTORATE, tree["trust"], on=TODAY)
    message = "New directorate has been where it is only since 15 June 2026; choose that day or later."
    assert refusal(lambda: add_unit("Early team", UnitKind.TEAM, new, on=YESTERDAY)) == {"on": message}
    assert refusal(lambda: move_unit(tree["clinic"], new, YESTERDAY)) == {"on": message}
    move_unit(tree["clinic"], new, TODAY)
    db.session.flush()
    assert refusal(lambda: move_unit(tree["clinic"], tree["surgery"], YESTERDAY))["on"].startswith(
        "The tree around this unit changed on 15 June 2026")


def test_nothing_and_nobody_goes_into_a_closed_unit(tree):
    from tracker import staff_history

    old = make_unit("Old Ward", UnitKind.TEAM, tree["cancer"])
    close_unit(old, TODAY)
    message = "Old Ward closed on 15 June 2026; choose an open unit."
    assert refusal(lambda: add_unit("Bay", UnitKind.TEAM, old, on=TODAY)) == {"parent": message}
    assert refusal(lambda: move_unit(tree["clinic"], old, TODAY)) == {"parent": message}
    nurse = make_person(tree["ward7"])
    assert refusal(lambda: staff_history.change(nurse, TODAY, team=old)) == {"team": message}
