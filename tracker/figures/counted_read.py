"""A report's figures read from the counted rows (tracker.figures.counted): people in each status
by team, staff group and tier, and the year's month-by-month series, from one grouped read of a
narrow indexed table, with no status decided and no join to the roster, exemptions or figures."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, Select, String, and_, case, cast, func, literal, null, select, true, union_all

from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.figures import counted_tally, team_tally
from tracker.figures.counted import bring_up_to_date
from tracker.figures.monthly import EVERYONE, EXEMPT_NOT_COMPLETE, MonthPoint, _series
from tracker.figures.one_pass import _Counted
from tracker.figures.people import STATUS_ORDER
from tracker.figures.status import _STAFF_GROUPS, _STATUSES, Tally
from tracker.models import CountedPerson, CountedTally, Person, StaffGroup, TeamTally, UnitClosure, in_force
from tracker.models.kept import COUNTED_STATUSES
from tracker.paging import Page
from tracker.roster import Roster, ids_of

_TEAMS, _GROUPS, _TIERS, _MONTHS = 0, 1, 2, 3
_STILL_TO_DO = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.AWAITING_SIGN_OFF)


@dataclass
class CountedTallies:
    by_team: dict[int, Tally]
    by_staff_group: dict[StaffGroup, Tally]
    by_tier: dict[int, Tally]
    months: list[MonthPoint]

    @property
    def overall(self) -> Tally:
        tally = Tally()
        for team in self.by_team.values():
            for status, n in team.counts.items():
                tally.counts[status] += n
        return tally


def _month_points(month: int | None, exempt: int, n: int) -> list[_Counted]:
    """What `n` people completing in `month` (None: not complete) add to the monthly series."""
    points = [_Counted(0, EVERYONE, n)]
    if exempt == 1 and month is None:
        points.append(_Counted(0, EXEMPT_NOT_COMPLETE, n))
    if month is not None:
        points.append(_Counted(0, month, n))
    return points


def overdue_once_ended(status: Status, year: AppraisalYear, today: date) -> Status:
    """A counted status read on `today`: once the year has ended, whoever is neither complete nor
    exempt is overdue (compliance.status_case decides the same)."""
    return Status.OVERDUE if status in _STILL_TO_DO and year.has_ended(today) else status


def counted_tallies(year: AppraisalYear, today: date, *, unit_id: int | None = None,
                    staff_group: StaffGroup | None = None, tier: int | None = None,
                    people: Select | None = None) -> CountedTallies:
    """Everyone on the year's roster (under `unit_id`, in `staff_group`, at `tier`, among `people`
    when given: a people selection of the year's roster, such as a manager's scope), counted by
    team, staff group and tier, and the year's months. Brings the counts up to date first (which
    may write: the caller commits). Not for a year marked for a rebuild."""
    bring_up_to_date(year, today)
    counted = CountedPerson
    where = [counted.start_year == year.start_year]
    if people is not None:
        # A scope's rows, found by key and read once: grouping the year's index four ways and
        # testing each row against the scope read the whole year (a 40-person team: 228 ms of SQLite).
        counted = (select(*CountedPerson.__table__.c)
                   .where(CountedPerson.start_year == year.start_year, CountedPerson.person_id.in_(ids_of(people)))
                   .cte("scoped").prefix_with("MATERIALIZED")).c
        where = []
    if unit_id is not None:
        where.append(counted.team_id.in_(Roster.of(year, today).units_under([unit_id])))
    if staff_group is not None:
        where.append(counted.staff_group == staff_group)
    if tier is not None:
        where.append(counted.tier == tier)
    condition = and_(true(), *where)
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    # Each part groups by its index's own columns, so that SQLite reads it without sorting.
    parts = [
        select(literal(_TEAMS), counted.team_id, no_text, counted.status, no_int, func.count())
        .where(condition).group_by(counted.team_id, counted.status),
        select(literal(_GROUPS), no_int, counted.staff_group, counted.status, no_int, func.count())
        .where(condition).group_by(counted.staff_group, counted.status),
        select(literal(_TIERS), counted.tier, no_text, counted.status, no_int, func.count())
        .where(condition).group_by(counted.tier, counted.status),
        select(literal(_MONTHS), counted.complete_month, no_text, no_text, counted.exempt, func.count())
        .where(condition).group_by(counted.complete_month, counted.exempt),
    ]
    tallies = {part: defaultdict(Tally) for part in (_TEAMS, _GROUPS, _TIERS)}
    months = []
    for part, number, words, status, exempt, n in db.session.connection().execute(union_all(*parts)).all():
        if part == _MONTHS:
            months += _month_points(None if number is None else int(number), exempt, n)
            continue
        key = _STAFF_GROUPS[words] if part == _GROUPS else number
        tallies[part][key].counts[overdue_once_ended(_STATUSES[status], year, today)] += n
    return CountedTallies(dict(tallies[_TEAMS]), dict(tallies[_GROUPS]), dict(tallies[_TIERS]),
                          _series(months, [year], today)[0])


# --- the whole organisation, from the counters (tracker.figures.counted_tally) ---------------


@dataclass
class OrganisationTallies:
    overall: Tally
    by_unit: dict[int, Tally]  # each unit asked for: the sum of the teams beneath it
    teams: dict[int, Tally]  # every team with people when few, else the lowest
    teams_total: int  # teams with people
    teams_above_another: set[int]  # of `teams`, those with a team with people beneath them
    by_staff_group: dict[StaffGroup, Tally]
    by_tier: dict[int, Tally]
    months: list[MonthPoint]


def organisation_tallies(year: AppraisalYear, today: date, unit_ids: list[int], *, every_team_up_to: int,
                         lowest: int) -> OrganisationTallies:
    """Everyone on the year's roster, from the counters: five reads whatever the size of the
    organisation, the largest grouping one counter per team and status. Teams are listed in full up to `every_team_up_to`; above that only
    the `lowest` by compliance (as sorting them all by percent, then name, would). Brings the counts
    up to date first (which may write: the caller commits). Not for a year marked for a rebuild."""
    bring_up_to_date(year, today)
    counted_tally.settle(db.session)  # this transaction's own recounts first
    roster = Roster.of(year, today)
    t = CountedTally
    connection = db.session.connection()

    groups, tiers, months, overall = defaultdict(Tally), defaultdict(Tally), [], Tally()
    for part, number, group, status, exempt, n in connection.execute(
            select(t.part, t.number, t.staff_group, t.status, t.exempt, func.sum(t.n))
            .where(t.start_year == year.start_year, t.part > counted_tally.TEAMS)  # a range of the key's index
            .group_by(t.part, t.number, t.staff_group, t.status, t.exempt).having(func.sum(t.n) != 0)):
        if part == counted_tally.MONTHS:
            months += _month_points(None if number == counted_tally.NO_MONTH else number, exempt, n)
            continue
        status = overdue_once_ended(_STATUSES[status], year, today)
        if part == counted_tally.STAFF_GROUPS:
            groups[_STAFF_GROUPS[group]].counts[status] += n
            overall.counts[status] += n
        else:
            tiers[number].counts[status] += n

    by_unit = {unit_id: Tally() for unit_id in unit_ids}
    if unit_ids:
        closure, team = UnitClosure, TeamTally
        # From the units down, one kept row per team beneath (tracker.figures.team_tally): summing
        # the team counters instead read 4.5 rows a team (11 ms at 100,000 staff on PostgreSQL).
        # The rows come in the units' order, so SQLite groups them without sorting.
        for unit_id, *sums in connection.execute(
                select(closure.ancestor_id, *[func.sum(team.__table__.c[status]) for status in COUNTED_STATUSES])
                .select_from(closure)
                .join(team, and_(team.team_id == closure.descendant_id, team.start_year == year.start_year),
                      isouter=True)
                .where(closure.ancestor_id.in_(unit_ids), in_force(closure, roster.day))
                .group_by(closure.ancestor_id)):
            by_unit[unit_id] = _tally_of(sums, year, today)

    shown, total = _teams_shown(year, roster, every_team_up_to, lowest)
    teams = _team_tallies(year, today, shown)
    return OrganisationTallies(overall, by_unit, teams, total, _above_another(year, roster, shown),
                               dict(groups), dict(tiers), _series(months, [year], today)[0])


def _teams_shown(year: AppraisalYear, roster: Roster, every_team_up_to: int, lowest: int) -> tuple[list[int], int]:
    """The teams listed (every team with people when there are few, else the `lowest` by percent,
    then name, as pages.sort_units orders them), and how many teams have people. Reads the kept
    places (tracker.figures.team_tally) up to the last one listed: only those teams are named, for
    the order among equal places."""
    p = TeamTally
    year_places = p.start_year == year.start_year
    wanted = max(every_team_up_to + 1, lowest)
    last_place = (select(p.place).where(year_places).order_by(p.place).offset(wanted - 1).limit(1)
                  .scalar_subquery())
    names = roster.unit_names()
    name = func.lower(names.c.name)
    if db.session.get_bind().dialect.name == "postgresql":
        name = name.collate("C")  # Python's order of strings; SQLite's own is already
    rows = db.session.connection().execute(
        select(p.team_id, select(func.count()).where(year_places).scalar_subquery())
        .join(names, names.c.unit_id == p.team_id, isouter=True)
        .where(year_places, p.place <= func.coalesce(last_place, team_tally.NOBODY_EXPECTED))
        .order_by(p.place, name)
        .limit(wanted)).all()
    total = rows[0][1] if rows else 0
    return [team_id for team_id, _ in rows[:every_team_up_to if total <= every_team_up_to else lowest]], total


def _tally_of(sums, year: AppraisalYear, today: date) -> Tally:
    """A Tally from counts in COUNTED_STATUSES order (None for none)."""
    tally = Tally()
    for status, n in zip(COUNTED_STATUSES, sums):
        if n:
            tally.counts[overdue_once_ended(_STATUSES[status], year, today)] += n
    return tally


def _team_tallies(year: AppraisalYear, today: date, team_ids: list[int]) -> dict[int, Tally]:
    """The tallies of these teams, in this order."""
    team = TeamTally
    tallies = {team_id: Tally() for team_id in team_ids}
    if team_ids:
        for team_id, *counts in db.session.connection().execute(
                select(team.team_id, *(team.__table__.c[status] for status in COUNTED_STATUSES))
                .where(team.start_year == year.start_year, team.team_id.in_(team_ids))):
            tallies[team_id] = _tally_of(counts, year, today)
    return tallies


def _above_another(year: AppraisalYear, roster: Roster, team_ids: list[int]) -> set[int]:
    """Those of `team_ids` with a team with people beneath them on the day (a team has a kept
    row only while it has people)."""
    if not team_ids:
        return set()
    team, closure = TeamTally, UnitClosure
    with_people = select(team.team_id).where(team.start_year == year.start_year, team.team_id == closure.descendant_id)
    return set(db.session.connection().scalars(
        select(closure.ancestor_id).distinct()
        .where(closure.ancestor_id.in_(team_ids), closure.depth > 0, in_force(closure, roster.day),
               with_people.exists())))


# --- a page of people in status order --------------------------------------------------------


def people_page_in_status_order(people: Select, year: AppraisalYear, today: date, page: Page,
                                descending: bool = False) -> Select:
    """The ids of one page of `people` (a people selection of the year's roster) in the people
    table's status order (figures.people, PEOPLE_SORTS["status"]), read from the counted rows: only
    that page's people then have their figures worked out, not everyone in scope (a 10,551-person
    directorate's list sorted every status it decided). Counted rows must be up to date
    (counted_tallies brings them), and the year not marked for a rebuild."""
    position = case(*[(CountedPerson.status == status.value,
                       STATUS_ORDER.index(overdue_once_ended(status, year, today))) for status in Status],
                    else_=len(STATUS_ORDER))
    return page.rows(
        select(CountedPerson.person_id)
        .join(Person, Person.id == CountedPerson.person_id)
        .where(CountedPerson.start_year == year.start_year, CountedPerson.person_id.in_(ids_of(people)))
        .order_by(position.desc() if descending else position, Person.name, Person.id)
    )
