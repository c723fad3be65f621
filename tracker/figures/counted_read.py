"""A report's figures read from the counted rows (tracker.figures.counted): people in each status
by team, staff group and tier, and the year's month-by-month series, from one grouped read of a
narrow indexed table, with no status decided and no join to the roster, exemptions or figures."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, String, and_, cast, func, literal, null, select, union_all

from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.figures.counted import bring_up_to_date
from tracker.figures.monthly import EVERYONE, EXEMPT_NOT_COMPLETE, MonthPoint, _series
from tracker.figures.one_pass import _Counted
from tracker.figures.status import _STAFF_GROUPS, _STATUSES, Tally
from tracker.models import CountedPerson, StaffGroup
from tracker.roster import Roster

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


def overdue_once_ended(status: Status, year: AppraisalYear, today: date) -> Status:
    """A counted status read on `today`: once the year has ended, whoever is neither complete nor
    exempt is overdue (compliance.status_case decides the same)."""
    return Status.OVERDUE if status in _STILL_TO_DO and year.has_ended(today) else status


def counted_tallies(year: AppraisalYear, today: date, *, unit_id: int | None = None,
                    staff_group: StaffGroup | None = None, tier: int | None = None) -> CountedTallies:
    """Everyone on the year's roster (under `unit_id`, in `staff_group`, at `tier` when given),
    counted by team, staff group and tier, and the year's months. Brings the counts up to date first
    (which may write: the caller commits). Not for a year marked for a rebuild."""
    bring_up_to_date(year, today)
    counted = CountedPerson
    where = [counted.start_year == year.start_year]
    if unit_id is not None:
        where.append(counted.team_id.in_(Roster.of(year, today).units_under([unit_id])))
    if staff_group is not None:
        where.append(counted.staff_group == staff_group)
    if tier is not None:
        where.append(counted.tier == tier)
    condition = and_(*where)
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
            months.append(_Counted(0, EVERYONE, n))
            if exempt == 1 and number is None:
                months.append(_Counted(0, EXEMPT_NOT_COMPLETE, n))
            if number is not None:
                months.append(_Counted(0, int(number), n))
            continue
        key = _STAFF_GROUPS[words] if part == _GROUPS else number
        tallies[part][key].counts[overdue_once_ended(_STATUSES[status], year, today)] += n
    return CountedTallies(dict(tallies[_TEAMS]), dict(tallies[_GROUPS]), dict(tallies[_TIERS]),
                          _series(months, [year], today)[0])
