"""People in each status, counted once per page and rolled up every way a dashboard shows them.

`status_cube()` runs the status query once, grouped by team, staff group, tier and status; every
figure of a page (overall, per unit, per team, per staff group, per tier) is a sum over its rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, String, func, select, type_coerce

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Rule, Status
from tracker.extensions import db
from tracker.models import OrganisationUnit, StaffGroup
from tracker.roster import Roster, UnitOfTheDay


@dataclass
class Tally:
    """People in each status, and the compliance figure they make."""

    counts: dict[Status, int] = field(default_factory=lambda: {s: 0 for s in Status})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def expected(self) -> int:
        """The denominator: active people less those exempt."""
        return self.total - self.counts[Status.EXEMPT]

    @property
    def percent(self) -> float | None:
        return compliance.compliance_percent(self.counts)

    def rag(self, target: int) -> str:
        return compliance.rag(self.percent, target)

    def __getitem__(self, status: Status) -> int:
        return self.counts[status]


class CubeRow(NamedTuple):
    team_id: int
    staff_group: StaffGroup
    tier: int
    status: Status
    n: int


_STATUSES = {s.value: s for s in Status}
_STAFF_GROUPS = {g.value: g for g in StaffGroup}


def status_cube(people: Select, year: AppraisalYear, today: date, rules: dict[int, Rule] | None = None) -> list[CubeRow]:
    """(team_id, staff_group, tier, status, n) for `people` (a people selection of the year's
    roster, so team, staff group and tier are those of the year's reference day): one GROUP BY.

    Every roll-up a dashboard shows (overall, per team, per unit, per staff group, per tier)
    is a sum over these few rows, so a page runs the heavy status query once.
    """
    statuses = compliance.status_query(people, year, today, rules).subquery("statuses")
    staff_group = type_coerce(statuses.c.staff_group, String)  # mapped below, once per distinct value
    query = (
        select(statuses.c.team_id, staff_group, statuses.c.tier, statuses.c.status, func.count().label("n"))
        .group_by(statuses.c.team_id, staff_group, statuses.c.tier, statuses.c.status)
    )
    # Through the session's connection (Core rows): tens of thousands of rows in a system, and the
    # ORM's row handling cost more than the query.
    return [CubeRow(team_id, _STAFF_GROUPS[group], tier, _STATUSES[status], n)
            for team_id, group, tier, status, n in db.session.connection().execute(query).all()]


def roll_up(cube, key=None) -> dict:
    """Sum cube rows into one Tally per key(row); key=None gives a single overall Tally."""
    if key is None:
        tally = Tally()
        for row in cube:
            tally.counts[row.status] += row.n
        return tally
    tallies: dict = defaultdict(Tally)
    for row in cube:
        k = key(row)
        if k is not None:
            tallies[k].counts[row.status] += row.n
    return dict(tallies)


def tallies_by_unit(by_team: dict[int, Tally], unit_ids, roster: Roster) -> dict[int, Tally]:
    """One Tally per unit of `unit_ids`, each summing the team tallies (team id -> Tally) of every
    team beneath that unit on the roster's day."""
    under = roster.beneath(unit_ids)
    tallies = {unit_id: Tally() for unit_id in unit_ids}
    for team_id, team in by_team.items():
        unit_id = under.get(team_id)
        if unit_id is not None:
            for status, n in team.counts.items():
                tallies[unit_id].counts[status] += n
    return tallies


@dataclass
class UnitFigures:
    unit: OrganisationUnit | UnitOfTheDay
    tally: Tally


def ranked_units(by_team: dict[int, Tally], units: list, roster: Roster) -> list[UnitFigures]:
    """Units with their figures (from team tallies), lowest compliance first (units with nobody expected last)."""
    tallies = tallies_by_unit(by_team, [u.id for u in units], roster)
    rows = [UnitFigures(u, tallies[u.id]) for u in units]
    rows.sort(key=lambda r: ((p := r.tally.percent) is None, p or 0, r.unit.name))
    return rows


def by_team(cube) -> dict[int, Tally]:
    return roll_up(cube, lambda row: row.team_id)
