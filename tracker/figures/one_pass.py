"""An open year's status cube and its month-by-month series from one read of the kept figures.

status_cube() and monthly_compliance_years() each join the year's people to their kept figures;
at 100,000 staff each join costs a couple of hundred milliseconds. The kept figures already hold
each person's month of completion for their tier, so the series' counts (completions per month,
everyone, exempt and not complete) are one more GROUP BY over the same rows: the people and their
figures are read once (a materialised CTE) and both groupings come back in one UNION ALL.
Only for a year read from the kept figures (not one waiting for a rebuild); the caller checks.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import Integer, String, and_, case, cast, func, literal, null, select, type_coerce, union_all

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Rule
from tracker.extensions import db
from tracker.figures.kept_progress import kept_progress_query
from tracker.figures.monthly import EVERYONE, EXEMPT_NOT_COMPLETE, MonthPoint, _series
from tracker.figures.status import _STAFF_GROUPS, _STATUSES, CubeRow

_CUBE, _MONTHS = 0, 1


class _Counted(NamedTuple):  # the (y, m, n) rows monthly._series reads
    y: int
    m: int
    n: int


def status_cube_and_months(people, year: AppraisalYear, today: date,
                           rules: dict[int, Rule] | None = None) -> tuple[list[CubeRow], list[MonthPoint]]:
    """(status_cube(people, year, today, rules), monthly_compliance_years(people, [year], today)[0])."""
    rules = rules or compliance.load_rules(year)
    progress = kept_progress_query(people, year, today, with_completion_month=True).subquery("progress")
    statuses = (select(progress, compliance.status_case(progress, rules, year, today).label("status"))
                .cte("statuses").prefix_with("MATERIALIZED", dialect="postgresql"))  # SQLite does so itself
    staff_group = type_coerce(statuses.c.staff_group, String)
    cube = (
        select(literal(_CUBE).label("part"), statuses.c.team_id, staff_group.label("staff_group"),
               statuses.c.tier, statuses.c.status, cast(null(), Integer).label("month"), func.count().label("n"))
        .group_by(statuses.c.team_id, staff_group, statuses.c.tier, statuses.c.status)
    )
    exempt_not_complete = case((and_(statuses.c.exempt == 1, statuses.c.complete_month.is_(None)), 1), else_=0)
    months = (
        select(literal(_MONTHS), cast(null(), Integer), cast(null(), String), exempt_not_complete,
               cast(null(), String), statuses.c.complete_month, func.count())
        .group_by(exempt_not_complete, statuses.c.complete_month)
    )
    cube_rows, counted = [], []
    rows = db.session.connection().execute(union_all(cube, months)).all()
    for part, team_id, group, tier, status, month, n in rows:
        if part == _CUBE:
            cube_rows.append(CubeRow(team_id, _STAFF_GROUPS[group], tier, _STATUSES[status], n))
            continue
        counted.append(_Counted(0, EVERYONE, n))
        if tier == 1:  # exempt and not complete
            counted.append(_Counted(0, EXEMPT_NOT_COMPLETE, n))
        if month is not None:
            counted.append(_Counted(0, int(month), n))
    return cube_rows, _series(counted, [year], today)[0]
