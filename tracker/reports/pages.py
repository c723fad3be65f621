"""The figures of the education lead's three report pages, for one set of filters.

No request in here; every function runs a fixed number of GROUP BY queries (tracker.figures),
whatever the size of the organisation.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy import Select, select

from tracker import compliance, figures
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.models import OrganisationUnit, StaffGroup, TIERS, UnitClosure
from tracker.organisation import organisation_root
from tracker.roster import Roster
from tracker.scope_filters import Filters
from tracker.year_closing import is_closed

# Above this many teams under the chosen unit, the page lists only the lowest and asks for a drill-down.
TEAMS_SHOWN_IN_FULL = 60
LOWEST_TEAMS = 10
UNIT_SORTS = ("percent", "name", "people")
# Earlier years drawn beside the chosen one; each costs a scan of that year's activities.
EARLIER_YEARS_DEFAULT = 1
EARLIER_YEARS_MAX = 4


Scope = Callable[[Roster], Select]  # an access function of a year's roster, e.g. access.reporting_staff


def ancestors(unit: OrganisationUnit | None) -> list[OrganisationUnit]:
    """The units above `unit`, the top first (for the drill-up breadcrumb)."""
    if unit is None:
        return []
    return list(db.session.scalars(
        select(OrganisationUnit).join(UnitClosure, UnitClosure.ancestor_id == OrganisationUnit.id)
        .where(UnitClosure.descendant_id == unit.id, UnitClosure.depth > 0, UnitClosure.current())
        .order_by(UnitClosure.depth.desc())
    ))


def sort_units(rows: list[figures.UnitFigures], sort: str, descending: bool) -> list[figures.UnitFigures]:
    if sort == "name":
        key = lambda r: r.unit.name.lower()  # noqa: E731
    elif sort == "people":
        key = lambda r: (r.tally.total, r.unit.name.lower())  # noqa: E731
    else:
        key = lambda r: (r.tally.percent is None, r.tally.percent or 0, r.unit.name.lower())  # noqa: E731
    return sorted(rows, key=key, reverse=descending)


@dataclass
class MonthRow:
    month: date  # first day of the month
    values: list[float | None]  # one per year, newest first


@dataclass
class OrganisationReport:
    filters: Filters
    target: int
    unit: OrganisationUnit | None  # the unit whose figures these are (the organisation when none chosen)
    trail: list[OrganisationUnit]
    tally: figures.Tally
    units: list[figures.UnitFigures]
    teams: list[figures.UnitFigures]
    teams_total: int
    teams_complete_list: bool
    teams_listed: set[int]  # the teams whose counts link to their people (see organisation_report)
    by_staff_group: list[tuple[StaffGroup, figures.Tally]]
    by_tier: list[tuple[int, figures.Tally]]
    years: list[AppraisalYear]
    months: list[MonthRow]

    @property
    def rag(self) -> str:
        return self.tally.rag(self.target)


def organisation_report(scope: Scope, filters: Filters, today: date, target: int,
                        sort: str = "percent", descending: bool = False,
                        earlier_years: int = EARLIER_YEARS_DEFAULT, everyone: bool = False) -> OrganisationReport:
    """`everyone`: `scope` is everyone in post (an organisation-wide viewer's), so the year's
    counted rows (tracker.figures.counted) answer without deciding anyone's status."""
    rules = compliance.load_rules(filters.year)
    roster = filters.roster_of()
    rebuilding = figures.being_rebuilt(filters.year)
    unit = roster.as_it_was(filters.unit or organisation_root())
    children = roster.children(unit.id) if unit else []
    this_year = None
    whole = filters.unit is None and filters.staff_group is None and filters.tier is None
    if everyone and whole and filters.status is None and not rebuilding:
        # Everyone, unfiltered: the counters answer (a cost of units, not of people).
        kept = figures.organisation_tallies(filters.year, today, [u.id for u in children],
                                            every_team_up_to=TEAMS_SHOWN_IN_FULL, lowest=LOWEST_TEAMS)
        tally, groups, tiers, this_year = kept.overall, kept.by_staff_group, kept.by_tier, kept.months
        units = sort_units([figures.UnitFigures(u, kept.by_unit[u.id]) for u in children], sort, descending)
        team_units = roster.units(list(kept.teams))
        teams = [figures.UnitFigures(u, kept.teams[u.id]) for u in team_units]
        teams_total, teams_above_another = kept.teams_total, kept.teams_above_another
    else:
        if everyone and filters.status is None and not rebuilding:
            counted = figures.counted_tallies(filters.year, today, unit_id=filters.unit.id if filters.unit else None,
                                              staff_group=filters.staff_group, tier=filters.tier)
            by_team, groups, tiers, this_year = counted.by_team, counted.by_staff_group, counted.by_tier, counted.months
            tally = counted.overall
        else:
            # An open year's months come from the cube's own read of the kept figures (figures/one_pass.py);
            # a closed year's are kept once computed, and a status filter chooses people by the cube.
            if filters.status is None and not is_closed(filters.year, today) and not rebuilding:
                cube, this_year = figures.status_cube_and_months(filters.people(scope), filters.year, today, rules)
            else:
                cube = figures.status_cube(filters.people(scope), filters.year, today, rules)
            by_team, tally = figures.by_team(cube), figures.roll_up(cube)
            groups, tiers = figures.roll_up(cube, lambda r: r.staff_group), figures.roll_up(cube, lambda r: r.tier)
        units = sort_units(figures.ranked_units(by_team, children, roster), sort, descending)
        team_units = roster.units(list(by_team)) if by_team else []
        teams = [figures.UnitFigures(u, by_team[u.id]) for u in team_units]
        teams_total, teams_above_another = len(team_units), roster.above_another([u.id for u in team_units])
    complete_list = teams_total <= TEAMS_SHOWN_IN_FULL
    teams = sort_units(teams, sort, descending) if complete_list else sort_units(teams, "percent", False)[:LOWEST_TEAMS]
    # A team row's people are listed by the unit filter (everyone beneath it) only when nobody sits
    # in a unit below it: true of every team of an ordinary tree, not of a directorate holding people.
    teams_listed = {u.unit.id for u in teams} - teams_above_another

    years = [filters.year]
    for _ in range(max(0, min(earlier_years, EARLIER_YEARS_MAX))):
        years.append(years[-1].previous())
    def people_of(year):
        return filters.people(scope, year)

    # A closed year's months never change; kept once computed unless a status filter (which reads
    # the chosen year) decides who is counted.
    monthly = figures.monthly_keeping_closed_years if filters.status is None else figures.monthly_compliance_years
    series = [this_year] + monthly(people_of, years[1:], today) if this_year is not None else monthly(people_of, years, today)
    months = []
    for i, start in enumerate(figures.month_starts(filters.year)):
        months.append(MonthRow(start, [points[i].percent if i < len(points) else None for points in series]))

    return OrganisationReport(
        filters=filters, target=target, unit=unit, trail=ancestors(filters.unit), tally=tally, units=units,
        teams=teams, teams_total=teams_total, teams_complete_list=complete_list, teams_listed=teams_listed,
        by_staff_group=[(g, groups[g]) for g in StaffGroup if g in groups],
        by_tier=[(t, tiers[t]) for t in TIERS if t in tiers], years=years, months=months,
    )


@dataclass
class BehaviourReport:
    filters: Filters
    unit: OrganisationUnit | None
    coverage: list[figures.Coverage]  # lowest first
    columns: list[OrganisationUnit]  # the units of the matrix (children of the chosen unit)
    matrix: dict[int, dict[int, figures.Coverage]]  # unit id -> behaviour id -> coverage

    @property
    def gaps(self) -> list[figures.Coverage]:
        return [c for c in self.coverage if c.is_gap]


def behaviour_report(scope: Scope, filters: Filters, today: date) -> BehaviourReport:
    people = filters.people(scope)
    roster = filters.roster_of()
    type_id = filters.activity_type_id
    coverage = figures.lowest_first(figures.behaviour_coverage(people, filters.year, today, type_id))
    unit = roster.as_it_was(filters.unit or organisation_root())
    columns = roster.children(unit.id) if unit else []
    matrix = figures.behaviour_coverage_by_unit(people, filters.year, today, [u.id for u in columns], type_id) \
        if columns else {}
    return BehaviourReport(filters=filters, unit=unit, coverage=coverage, columns=columns, matrix=matrix)


@dataclass
class CourseUptake:
    course_id: int
    code: str
    title: str
    provider: str
    format: str
    activities: int
    people: int
    by_staff_group: list
    by_directorate: list
    behaviours: list


def training_report(scope: Scope, filters: Filters, today: date) -> list[CourseUptake]:
    scope = filters.people(scope)
    type_id = filters.activity_type_id
    groups, directorates, behaviours = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in figures.course_uptake_by(scope, filters.year, today, "staff_group", type_id):
        groups[row.course_id].append((row.key, row.activities, row.people))
    for row in figures.course_uptake_by(scope, filters.year, today, "directorate", type_id):
        directorates[row.course_id].append((row.key, row.activities, row.people))
    for course_id, code, n in figures.course_behaviours(scope, filters.year, type_id):
        behaviours[course_id].append((code, n))
    return [
        CourseUptake(r.course_id, r.code, r.title, r.provider, r.format, r.activities, r.people,
                     groups[r.course_id], directorates[r.course_id], behaviours[r.course_id])
        for r in figures.course_uptake(scope, filters.year, type_id)
    ]
