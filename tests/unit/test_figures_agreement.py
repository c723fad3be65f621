"""The dashboards' SQL figures agree exactly with the per-person rule, for the whole demo
organisation and every year it holds."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from tests.rule_by_hand import in_post_by_hand, progress_by_hand, units_under_by_hand
from tests.support import refresh_planner_statistics
from tracker import access, compliance, figures
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Progress, Status
from tracker.extensions import db
from tracker.models import OrganisationUnit, Person, UnitKind
from tracker.paging import PAGE_SIZE
from tracker.roster import Roster, ids_of, reference_day

TODAY = date(2026, 1, 20)  # late in a year, so every status occurs


@pytest.fixture
def demo(db_session):
    from tracker.demo import load_demo

    load_demo(staff=220, years=3, seed=2026, today=TODAY)
    db.session.flush()
    refresh_planner_statistics()
    years = [AppraisalYear(TODAY.year - 1 - back) for back in range(3)]
    return years


def per_person_statuses(year, rules) -> dict[int, Status]:
    """The status of each person in post on the year's reference day, from figures counted by hand
    in Python (not the SQL under test)."""
    return {person_id: progress.status for person_id, progress in progress_by_hand(year, TODAY, rules).items()}


def everyone(year):
    return Roster.of(year, TODAY).people()


def test_the_sql_counts_equal_the_counts_by_hand_for_every_year(demo):
    seen = set()
    for year in demo:
        rules = compliance.load_rules(year)
        by_hand = progress_by_hand(year, TODAY, rules)
        seen |= {progress.status for progress in by_hand.values()}
        for row in db.session.execute(compliance.status_query(everyone(year), year, TODAY, rules)):
            want = by_hand[row.person_id]
            assert compliance.progress_from_row(row, year, TODAY) == Progress(**{**want.__dict__, "status": None})
            assert row.status == want.status.value, (year, row.person_id)
    assert seen == set(Status)  # the demo exercises every status


def test_sql_figures_equal_the_per_person_rule_for_every_year(demo):
    for year in demo:
        rules = compliance.load_rules(year)
        expected = per_person_statuses(year, rules)
        rows = db.session.execute(figures.people_query(everyone(year), year, TODAY, rules)).all()
        assert {r.id: Status(r.status) for r in rows} == expected, year
        tally = figures.roll_up(figures.status_cube(everyone(year), year, TODAY, rules))
        assert tally.counts == {s: Counter(expected.values())[s] for s in Status}, year
        assert tally.percent == compliance.compliance_percent(Counter(expected.values()))
        points = figures.monthly_compliance_years(everyone, [year], TODAY, rules)[0]
        assert points[-1].complete == tally[Status.COMPLETE] and points[-1].expected == tally.expected


@pytest.mark.parametrize("back", [0, 1, 2])
def test_every_units_figures_equal_the_sum_of_its_people(demo, back):
    year = demo[back]
    rules = compliance.load_rules(year)
    expected = per_person_statuses(year, rules)
    day = reference_day(year, TODAY)
    team_of = {person_id: team_id for person_id, (team_id, _, _) in in_post_by_hand(day).items()}
    cube = figures.status_cube(everyone(year), year, TODAY, rules)
    directorates = list(db.session.scalars(select(OrganisationUnit).where(OrganisationUnit.kind == UnitKind.DIRECTORATE)))
    assert directorates
    by_unit = figures.tallies_by_unit(figures.by_team(cube), [d.id for d in directorates], Roster(day))
    for directorate in directorates:
        under = units_under_by_hand(directorate.id, day)
        want = Counter(status for pid, status in expected.items() if team_of[pid] in under)
        assert by_unit[directorate.id].counts == {s: want[s] for s in Status}, directorate.name


def test_each_managers_dashboard_equals_the_per_person_rule(demo):
    year = demo[0]
    rules = compliance.load_rules(year)
    expected = per_person_statuses(year, rules)
    managers = db.session.scalars(select(Person).where(Person.scopes.any())).all()
    assert len(managers) > 3
    for manager in managers:
        scope = access.managed_staff(manager, Roster.of(year, TODAY))
        ids = set(db.session.scalars(ids_of(scope)))
        tally = figures.roll_up(figures.status_cube(scope, year, TODAY, rules))
        want = Counter(expected[i] for i in ids)
        assert tally.counts == {s: want[s] for s in Status}, manager.email


def test_organisation_report_equals_the_dashboards_and_the_rule(demo, app):
    from tracker.reports import pages
    from tracker.scope_filters import Filters

    def reporting(roster):
        return roster.people()

    for year in demo:
        rules = compliance.load_rules(year)
        expected = per_person_statuses(year, rules)
        report = pages.organisation_report(reporting, Filters(year=year, today=TODAY), TODAY, 85)
        assert report.tally.counts == {s: Counter(expected.values())[s] for s in Status}, year
        assert sum(t.total for _, t in report.by_tier) == len(expected)
        assert sum(t.total for _, t in report.by_staff_group) == len(expected)
        assert report.months[-1].values[0] == report.tally.percent or not year.has_ended(TODAY)
        # A directorate on the organisation report equals its senior manager's dashboard.
        for manager in db.session.scalars(select(Person).where(Person.scopes.any())):
            units = [scope.unit for scope in manager.scopes]
            if len(units) != 1 or units[0].kind != UnitKind.DIRECTORATE:
                continue
            on_report = pages.organisation_report(reporting, Filters(year=year, unit=units[0], today=TODAY), TODAY, 85)
            dashboard = figures.roll_up(figures.status_cube(access.managed_staff(manager, Roster.of(year, TODAY)), year, TODAY, rules))
            assert on_report.tally.counts == dashboard.counts, (year, manager.email)


def test_figures_read_from_the_kept_table_equal_the_figures_computed_from_the_activities(demo):
    """The pages read each person's kept figures (tracker.figures.upkeep); computed afresh from the
    activities by the rule's SQL they are the same, person by person and month by month."""
    from tracker.figures import upkeep

    assert db.session.scalar(select(db.func.count()).select_from(upkeep.PersonYearFigures)) > 0
    kept_months = figures.monthly_compliance_years(everyone, demo, TODAY)
    for year, kept in zip(demo, kept_months):
        read = db.session.execute(compliance.status_query(everyone(year), year, TODAY).order_by("person_id")).all()
        computed = db.session.execute(compliance.status_query(everyone(year), year, TODAY, from_scratch=True)
                                      .order_by("person_id")).all()
        assert read == computed and {row.status for row in read} >= {Status.COMPLETE.value}, year
        # Rules given explicitly are computed from the activities (the requirement page's preview).
        assert kept == figures.monthly_compliance_years(everyone, [year], TODAY, compliance.load_rules(year))[0], year
        assert kept[-1].complete > 0


def test_one_pass_gives_the_cube_and_the_months_of_the_two_separate_reads(demo):
    """figures.status_cube_and_months() (the organisation report's open year) equals status_cube()
    and the monthly series, the series also computed afresh from the activities, for the whole
    organisation and for one directorate, in every year."""
    directorate = db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.kind == UnitKind.DIRECTORATE)
                                    .order_by(OrganisationUnit.id))
    for year in demo:
        rules = compliance.load_rules(year)
        for people_of in (everyone, lambda y: Roster.of(y, TODAY).in_units(everyone(y), [directorate.id])):
            cube, months = figures.status_cube_and_months(people_of(year), year, TODAY, rules)
            assert Counter(cube) == Counter(figures.status_cube(people_of(year), year, TODAY, rules)), year
            assert months == figures.monthly_compliance_years(people_of, [year], TODAY)[0], year
            assert months == figures.monthly_compliance_years(people_of, [year], TODAY, rules)[0], year
            assert months and months[-1].complete > 0
        # Across the organisation some are exempt and not complete: the denominator leaves them out.
        assert months_of_everyone(year)[-1].expected < len(per_person_statuses(year, rules))


def months_of_everyone(year):
    return figures.status_cube_and_months(everyone(year), year, TODAY)[1]


def test_each_managers_dashboard_from_the_counted_rows_equals_the_one_deciding_every_status(demo):
    """A manager's dashboard reads its tallies and this year's months from the counted rows
    (tracker.figures.counted); deciding each status from the kept figures gives the same, for every
    manager and year."""
    from tracker.scope_filters import Filters
    from tracker.team import dashboard

    managers = db.session.scalars(select(Person).where(Person.scopes.any()).order_by(Person.id)).all()
    assert len(managers) > 3
    counted = pages_compared = 0
    for year in demo:
        rules = compliance.load_rules(year)
        for manager in managers:
            filters = Filters(year=year, today=TODAY)
            board = dashboard.build(manager, filters, TODAY, 85)
            roster = filters.roster_of(year)
            cube = figures.status_cube(filters.narrow(access.managed_staff(manager, roster), roster), year, TODAY, rules)
            assert board.tally.counts == figures.roll_up(cube).counts, (year, manager.email)
            units = dashboard.units_to_rank(manager, None, roster)
            deciding = figures.ranked_units(figures.by_team(cube), units, roster) if units else []
            assert [(u.unit.id, u.tally.counts) for u in board.ranked] == [(u.unit.id, u.tally.counts) for u in deciding]
            assert board.months == dashboard.monthly_rows(manager, filters, year, TODAY), (year, manager.email)
            # Each page of people, in status order either way, is the page of the list deciding every status.
            people = filters.narrow(access.managed_staff(manager, roster), roster)
            for descending in (False, True):
                deciding = db.session.execute(figures.people_query(people, year, TODAY, rules, descending=descending)).all()
                for page in range(1, board.pages + 1):
                    shown = dashboard.build(manager, filters, TODAY, 85, descending=descending, page=page).people
                    assert shown == deciding[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], (year, manager.email, page)
                    pages_compared += 1
            counted += board.tally.total
    assert counted > 0 and pages_compared > 2 * len(managers) * len(demo)


def _report_figures(report):
    return (report.tally.counts, [(u.unit.id, u.tally.counts) for u in report.units],
            [(u.unit.id, u.tally.counts) for u in report.teams], report.teams_total, report.teams_listed,
            [(g, t.counts) for g, t in report.by_staff_group], [(t, c.counts) for t, c in report.by_tier],
            report.months)


@pytest.mark.parametrize("teams_in_full", [60, 3])
def test_organisation_report_from_the_counted_rows_equals_the_one_deciding_every_status(demo, teams_in_full,
                                                                                       monkeypatch):
    """An organisation-wide report reads the counters of the whole organisation
    (tracker.figures.counted_tally) or, narrowed, the counted rows (tracker.figures.counted); the
    same report deciding each person's status from the kept figures gives the same figures, for
    every year (closed ones included), the whole organisation, a directorate, a staff group and a
    tier, with every team listed or only the lowest."""
    from tracker.models import CountedYear, StaffGroup
    from tracker.reports import pages
    from tracker.scope_filters import Filters

    def reporting(roster):
        return roster.people()

    monkeypatch.setattr(pages, "TEAMS_SHOWN_IN_FULL", teams_in_full)
    directorate = db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.kind == UnitKind.DIRECTORATE)
                                    .order_by(OrganisationUnit.id))
    for year in demo:
        for narrowed in ({}, {"unit": directorate}, {"staff_group": StaffGroup.NURSING_MIDWIFERY}, {"tier": 2}):
            filters = Filters(year=year, today=TODAY, **narrowed)
            counted = pages.organisation_report(reporting, filters, TODAY, 85, everyone=True)
            deciding = pages.organisation_report(reporting, filters, TODAY, 85, everyone=False)
            assert _report_figures(counted) == _report_figures(deciding), (year, narrowed)
            assert counted.tally.total > 0
            if not narrowed:
                assert counted.teams_complete_list == (counted.teams_total <= teams_in_full)
                total = counted.teams_total
                assert len(counted.teams) == (total if total <= teams_in_full else pages.LOWEST_TEAMS)
    assert db.session.scalar(select(db.func.count()).select_from(CountedYear)) == len(demo)


def test_coverage_from_the_kept_lines_equals_coverage_from_the_activities(demo):
    """Behaviour coverage reads each person's kept evidenced lines (tracker.figures.kept_lines);
    read from the activities it is the same, for every year, the organisation and by directorate."""
    from tracker.figures.coverage import coverage_query
    from tracker.figures.verify import line_differences
    from tracker.models import PersonYearLine

    directorates = [d.id for d in db.session.scalars(select(OrganisationUnit)
                                                      .where(OrganisationUnit.kind == UnitKind.DIRECTORATE))]
    for year in demo:
        assert line_differences(year) == []
        for units in (None, directorates):
            kept = db.session.execute(coverage_query(everyone(year), year, TODAY, group_units=units)).all()
            fresh = db.session.execute(coverage_query(everyone(year), year, TODAY, group_units=units,
                                                      from_scratch=True)).all()
            assert sorted(kept) == sorted(fresh) and any(row.evidenced for row in kept), (year, units)
    assert db.session.scalar(select(db.func.count()).select_from(PersonYearLine)) > 0
