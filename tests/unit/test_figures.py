"""Every dashboard figure on a small hand-built organisation whose answers are known."""
from __future__ import annotations

from datetime import date

import pytest

from tracker import figures
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.models import StaffGroup
from tracker.roster import Roster

YEAR = AppraisalYear(2025)
TODAY = date(2025, 10, 15)


@pytest.fixture
def org(known_org):
    assert (known_org["year"], known_org["day"]) == (YEAR, TODAY)
    return known_org


def everyone(year: AppraisalYear = YEAR):
    """Everyone in post on the year's reference day (the organisation has no history here)."""
    return Roster.of(year, TODAY).people()


def each_year(year):
    return everyone(year)


def test_overall_counts_and_compliance(org):
    tally = figures.roll_up(figures.status_cube(everyone(), YEAR, TODAY))
    assert tally.counts == {Status.COMPLETE: 2, Status.AWAITING_SIGN_OFF: 1, Status.IN_PROGRESS: 1,
                            Status.NOT_STARTED: 2, Status.EXEMPT: 1, Status.OVERDUE: 0}
    assert tally.total == 7 and tally.expected == 6
    assert tally.percent == 33.3 and tally.rag(85) == "red"


def test_counts_by_unit_team_staff_group_and_tier(org):
    tree = org["tree"]
    cube = figures.status_cube(everyone(), YEAR, TODAY)
    roster = Roster(TODAY)
    by_directorate = figures.tallies_by_unit(figures.by_team(cube), [tree["cancer"].id, tree["surgery"].id], roster)
    assert by_directorate[tree["cancer"].id].total == 6
    assert by_directorate[tree["cancer"].id][Status.COMPLETE] == 2
    assert by_directorate[tree["surgery"].id].counts[Status.NOT_STARTED] == 1
    by_team = figures.roll_up(cube, lambda r: r.team_id)
    assert by_team[tree["clinic"].id].percent == 100.0
    assert by_team[tree["ward7"].id].percent == 25.0  # 1 complete of 5 - 1 exempt
    by_group = figures.roll_up(cube, lambda r: r.staff_group)
    assert by_group[StaffGroup.ADMIN_CLERICAL].counts[Status.AWAITING_SIGN_OFF] == 1
    assert by_group[StaffGroup.MEDICAL_DENTAL].total == 1
    by_tier = figures.roll_up(cube, lambda r: r.tier)
    assert by_tier[2].total == 1 and by_tier[1].total == 6
    ranked = figures.ranked_units(figures.by_team(cube), [tree["ward7"], tree["clinic"], tree["theatres"]], roster)
    assert [r.unit.name for r in ranked] == ["Main Theatres", "Ward 7 (Oncology)", "Chemotherapy Day Unit"]


def test_last_year_is_overdue_for_the_incomplete(org):
    tally = figures.roll_up(figures.status_cube(everyone(YEAR.previous()), YEAR.previous(), TODAY))
    assert tally[Status.COMPLETE] == 1  # Hal in November 2024
    assert tally[Status.OVERDUE] == 6


def test_people_rows_carry_the_table_figures(org):
    rows = db.session.execute(figures.people_query(everyone(), YEAR, TODAY, sort="name",
                                                   with_export_columns=True)).all()
    by_name = {r.name: r for r in rows}
    assert "Fay Left" not in by_name  # inactive people are not counted
    gus = by_name["Gus Clinic"]
    assert (gus.status, gus.activities, gus.minutes, gus.behaviours) == ("complete", 2, 240, 4)
    assert gus.last_activity_on == date(2025, 8, 3) and gus.directorate == "Cancer Services"
    assert by_name["Ben Waiting"].pending == 1 and by_name["Ben Waiting"].status == "awaiting_sign_off"
    assert by_name["Eve Away"].exempt_reason == "parental_leave"
    assert by_name["Dan Idle"].last_activity_on is None
    assert [r.name for r in rows] == sorted(by_name)


def test_people_rows_filter_and_sort(org):
    query = figures.people_query(everyone(), YEAR, TODAY, statuses=[Status.NOT_STARTED], sort="team")
    assert [r.name for r in db.session.execute(query)] == ["Hal Theatres", "Dan Idle"]
    query = figures.people_query(everyone(), YEAR, TODAY, sort="hours", descending=True)
    assert db.session.execute(query).first().name == "Gus Clinic"


def test_behaviour_coverage(org):
    coverage = {c.code: c for c in figures.behaviour_coverage(everyone(), YEAR, TODAY)}
    # Tier 1 behaviours apply to all 6 non-exempt active people; tier 2 ones to Gus alone.
    assert coverage["1.1"].expected == 6
    assert coverage["1.1"].evidenced == 2  # Ada and Gus; Ben's is not signed off, Cat's is e-learning
    assert coverage["4.1"].expected == 1 and coverage["4.1"].evidenced == 1 and coverage["4.1"].percent == 100
    assert coverage["5.1"].expected == 0 and coverage["5.1"].percent is None
    assert coverage["2.2"].evidenced == 0 and coverage["2.2"].is_gap
    lowest = figures.lowest_first(list(coverage.values()))
    assert lowest[0].percent == 0 and lowest[-1].percent is None


def test_behaviour_coverage_by_unit(org):
    tree = org["tree"]
    by_unit = figures.behaviour_coverage_by_unit(everyone(), YEAR, TODAY, [tree["cancer"].id, tree["surgery"].id])
    b = org["b"]
    assert by_unit[tree["cancer"].id][b["1.1"].id].expected == 5
    assert by_unit[tree["cancer"].id][b["1.1"].id].evidenced == 2
    assert by_unit[tree["surgery"].id][b["1.1"].id].evidenced == 0
    assert b["4.1"].id not in by_unit[tree["surgery"].id]  # no tier 2 people there


def test_month_by_month_progress(org):
    points = figures.monthly_compliance_years(each_year, [YEAR], TODAY)[0]
    assert [p.month for p in points][0] == date(2025, 4, 1) and points[-1].month == date(2025, 10, 1)
    assert [p.complete for p in points] == [0, 1, 1, 1, 2, 2, 2]  # Ada in May, Gus in August
    assert points[-1].expected == 6 and points[-1].percent == 33.3
    last_year = figures.monthly_compliance_years(each_year, [YEAR.previous()], TODAY)[0]
    assert len(last_year) == 12 and last_year[7].complete == 1 and last_year[6].complete == 0


def test_month_by_month_last_point_equals_the_headline(org):
    for year in (YEAR, YEAR.previous()):
        tally = figures.roll_up(figures.status_cube(everyone(year), year, TODAY))
        last = figures.monthly_compliance_years(each_year, [year], TODAY)[0][-1]
        assert (last.complete, last.expected, last.percent) == (tally[Status.COMPLETE], tally.expected, tally.percent)


def test_several_years_in_one_query_equal_each_year_alone(org):
    years = [YEAR, YEAR.previous(), YEAR.previous().previous()]
    together = figures.monthly_compliance_years(each_year, years, TODAY)
    assert together == [figures.monthly_compliance_years(each_year, [y], TODAY)[0] for y in years]
    assert [p.complete for p in together[0]] == [0, 1, 1, 1, 2, 2, 2]
    assert together[1][-1].complete == 1 and together[2][-1].complete == 0


def test_training_uptake(org):
    course = org["course"]
    rows = figures.course_uptake(everyone(), YEAR)
    assert [(r.title, r.activities, r.people) for r in rows] == [(course.title, 2, 1)]
    by_group = figures.course_uptake_by(everyone(), YEAR, TODAY, "staff_group")
    assert [(r.key, r.activities) for r in by_group] == [(StaffGroup.NURSING_MIDWIFERY, 2)]
    by_directorate = figures.course_uptake_by(everyone(), YEAR, TODAY, "directorate")
    assert [(r.key, r.activities) for r in by_directorate] == [("Cancer Services", 2)]
    behaviours = {(r.code, r.activities) for r in figures.course_behaviours(everyone(), YEAR)}
    assert behaviours == {("1.1", 1), ("4.1", 1), ("2.3", 1), ("4.2", 1)}
    assert figures.course_uptake(everyone(YEAR.previous()), YEAR.previous()) == []


def test_courses_suggested_for_gaps(org):
    b = org["b"]
    courses = figures.courses_for_behaviours([b["3.1"].id, b["3.2"].id])
    assert courses and courses[0].matches >= 1
    assert figures.courses_for_behaviours([]) == []


def test_coverage_percent_rounds_as_compliance_does():
    """Halves up, to a tenth, as every other percent (1 of 16 is 6.25: 6.3, where a float's
    round() gave 6.2); nobody expected is no percent."""
    def coverage(evidenced, expected):
        return figures.Coverage(1, "1.1", "", "", [1], expected, evidenced)

    assert coverage(1, 16).percent == 6.3 and coverage(3, 16).percent == 18.8
    assert coverage(2, 3).percent == 66.7 and coverage(0, 0).percent is None
