"""The framework of each year: behaviours match across versions by line, a year counts evidence as
its own framework has it (once per line), and a closed year reads the same after a new version.

The known organisation (tests/conftest.py known_org) on 15 October 2025; 2024 to 2025 is closed.
The newer version (tests/framework_versions.py) renames 2.1 to 2.6 by a map, removes 3.1, adds 1.5
and gives 4.1 to tier 1 too.
"""
from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import make_activity, make_person
from tests.framework_versions import NEW_VERSION, newer_version
from tracker import figures
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status, behaviour_evidence, progress_of, status_query
from tracker.extensions import db
from tracker.roster import Roster
from tracker.framework_import import FrameworkFileError, current_framework, import_framework, validate
from tracker.framework_years import apply_from, framework_of
from tracker.models import ActivityType, Behaviour, Framework, Person
from tracker.refusal import Refused

THIS_YEAR, LAST_YEAR = AppraisalYear(2025), AppraisalYear(2024)


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])
    return known_org


def behaviour(code: str, version: str) -> Behaviour:
    return db.session.scalar(select(Behaviour).join(Framework).where(Behaviour.code == code,
                                                                     Framework.version == version))


def everything_of(year: AppraisalYear, day: date) -> dict:
    """Every figure of a year that reads behaviours, to compare before and after."""
    everyone = Roster.of(year, day).people()
    return {
        "statuses": figures.roll_up(figures.status_cube(everyone, year, day)).counts,
        "rows": sorted(tuple(row) for row in db.session.execute(status_query(everyone, year, day))),
        "coverage": figures.behaviour_coverage(everyone, year, day),
        "months": figures.monthly_compliance_years(lambda y: Roster.of(y, day).people(), [year], day),
        "evidence": {p.id: behaviour_evidence(p.id, year) for p in db.session.scalars(select(Person))},
    }


def test_a_new_version_continues_the_lines_of_the_old(org):
    old = current_framework()
    new = import_framework(newer_version(), THIS_YEAR, today=org["day"]).framework
    assert framework_of(THIS_YEAR) == new == current_framework() and framework_of(LAST_YEAR) == old
    assert behaviour("2.6", NEW_VERSION).lineage_id == behaviour("2.1", old.version).lineage_id
    assert behaviour("1.1", NEW_VERSION).lineage_id == behaviour("1.1", old.version).id
    added = behaviour("1.5", NEW_VERSION)
    assert added.lineage_id == added.id
    assert behaviour("3.1", NEW_VERSION) is None


def test_the_closed_year_reads_the_same_after_a_version_from_this_year(org):
    before = everything_of(LAST_YEAR, org["day"])
    import_framework(newer_version(), THIS_YEAR, today=org["day"])
    db.session.flush()
    assert everything_of(LAST_YEAR, org["day"]) == before
    # Hal's 3.1, which the new version removes, still counts in the year whose framework has it.
    hal = org["people"]["theatres"]
    assert progress_of(hal, LAST_YEAR, org["day"]).signed_off.behaviours == 2
    assert "3.1" in [c.code for c in figures.behaviour_coverage(Roster.of(LAST_YEAR, org["day"]).people(), LAST_YEAR, org["day"])]


def test_this_year_counts_as_its_framework_has_the_behaviours(org):
    trained = ActivityType.query.filter_by(code="observed_practice_feedback").one()
    ward7 = org["tree"]["ward7"]
    twice = make_person(ward7, tier=1, name="Ivy Twice")
    make_activity(twice, trained, occurred_on=date(2025, 5, 2), behaviours=[org["b"]["2.1"], org["b"]["1.2"]])
    removed = make_person(ward7, tier=1, name="Jo Removed")
    make_activity(removed, trained, occurred_on=date(2025, 5, 2), behaviours=[org["b"]["1.1"], org["b"]["3.1"]])
    assert progress_of(removed, THIS_YEAR, org["day"]).status == Status.COMPLETE

    import_framework(newer_version(), THIS_YEAR, today=org["day"])
    renamed = behaviour("2.6", NEW_VERSION)
    make_activity(twice, trained, occurred_on=date(2025, 10, 1), behaviours=[renamed])

    # 2.1 under the old version and 2.6 under the new are one behaviour: counted once, as 2.6.
    assert progress_of(twice, THIS_YEAR, org["day"]).signed_off.behaviours == 2
    assert set(behaviour_evidence(twice.id, THIS_YEAR)) == {renamed.id, behaviour("1.2", NEW_VERSION).id}
    # 3.1 is not in this year's framework: Jo is left with one behaviour.
    assert progress_of(removed, THIS_YEAR, org["day"]).status == Status.IN_PROGRESS
    # Ada evidenced the old 2.1: it counts as 2.6, so she stays complete.
    assert progress_of(org["people"]["done"], THIS_YEAR, org["day"]).status == Status.COMPLETE

    coverage = {c.code: c for c in figures.behaviour_coverage(Roster.of(THIS_YEAR, org["day"]).people(), THIS_YEAR, org["day"])}
    assert "3.1" not in coverage and "2.1" not in coverage and coverage["1.5"].evidenced == 0
    assert coverage["2.6"].evidenced == 2  # Ada and Ivy (Fay has left)
    assert coverage["4.1"].tiers == [1, 2, 3]  # tiers come from the year's framework


def test_the_per_person_rule_equals_the_sql_figures_across_versions(org):
    trained = ActivityType.query.filter_by(code="observed_practice_feedback").one()
    import_framework(newer_version(), THIS_YEAR, today=org["day"])
    new = {code: behaviour(code, NEW_VERSION) for code in ("1.1", "2.6", "1.5", "6.1")}
    for i, codes in enumerate((["1.1"], ["2.6", "1.5"], ["6.1"])):
        person = make_person(org["tree"]["clinic"], tier=3 if i == 2 else 1, name=f"Kit {i}")
        make_activity(person, trained, occurred_on=date(2025, 5, 2), behaviours=[org["b"]["2.1"], org["b"]["6.2"]])
        make_activity(person, trained, occurred_on=date(2025, 9, 2), behaviours=[new[c] for c in codes])
    everyone = Roster.of(THIS_YEAR, org["day"]).people()
    rows = {row.person_id: row for row in db.session.execute(status_query(everyone, THIS_YEAR, org["day"]))}
    for person in db.session.scalars(select(Person).where(Person.active.is_(True))):
        one = progress_of(person, THIS_YEAR, org["day"])
        row = rows[person.id]
        assert (row.status, row.s_behaviours, bool(row.s_leadership), row.p_behaviours) == (
            one.status.value, one.signed_off.behaviours, one.signed_off.leadership, one.with_pending.behaviours)
        evidence = behaviour_evidence(person.id, THIS_YEAR)
        assert (len(evidence), sum(evidence.values())) == (row.p_behaviours, row.s_behaviours)
    counts = figures.roll_up(figures.status_cube(everyone, THIS_YEAR, org["day"])).counts
    last_point = figures.monthly_compliance_years(lambda y: everyone, [THIS_YEAR], org["day"])[0][-1]
    assert last_point.complete == counts[Status.COMPLETE]


def test_a_version_from_next_year_leaves_this_year_alone(org):
    before = everything_of(THIS_YEAR, org["day"])
    old = current_framework()
    result = import_framework(newer_version(), AppraisalYear(2026), today=org["day"])
    assert result.applied and framework_of(AppraisalYear(2026)) == result.framework
    assert current_framework() == old and old.is_current and not result.framework.is_current
    assert everything_of(THIS_YEAR, org["day"]) == before


def test_no_version_applies_to_a_closed_year(org):
    newer = import_framework(newer_version(), apply=False, today=org["day"]).framework
    with pytest.raises(Refused, match="closed"):
        apply_from(newer, LAST_YEAR, None, org["day"])
    with pytest.raises(Refused, match="closed"):
        import_framework(newer_version(), LAST_YEAR, today=org["day"])


@pytest.mark.parametrize("replaces,expected", [
    (["9.9"], '"replaces" names "9.9", which is not a behaviour of the previous version'),
    (["2.1", "2.2"], '"replaces" must be a list of one behaviour code'),
    ("2.1", '"replaces" must be a list of one behaviour code'),
])
def test_a_map_must_name_one_behaviour_of_the_previous_version(org, replaces, expected):
    data = newer_version()
    data["domains"][0]["subjects"][1]["behaviours"][0]["replaces"] = replaces
    with pytest.raises(FrameworkFileError) as raised:
        import_framework(data, THIS_YEAR, today=org["day"])
    assert any(error.startswith("domains[0].subjects[1].behaviours[0]: ") and expected in error
               for error in raised.value.errors), raised.value.errors
    assert db.session.scalar(select(Framework).where(Framework.version == NEW_VERSION)) is None


def test_a_behaviour_replaced_twice_and_a_map_without_a_previous_version_are_refused(org):
    data = newer_version()
    data["domains"][0]["subjects"][1]["behaviours"][1]["replaces"] = ["2.1"]
    errors = validate(data, {b.code for b in db.session.scalars(select(Behaviour))})
    assert any('behaviour "2.1" of the previous version is replaced twice' in e for e in errors), errors
    assert any('there is no previous version' in e for e in validate(copy.deepcopy(newer_version())))
