"""Cumulative compliance month by month: the progress charts of both dashboards.

A person is complete at the end of month m when their signed-off experiential activities dated
from the start of that appraisal year up to the end of m meet their tier's rule. Each year's
denominator is that year's own (exemptions judged on its reference day), so a year's last point
equals its headline figure.

Each person's month of completion is kept per year and tier (tracker.figures.upkeep), so the series
reads those kept months joined to each year's people; it is computed from the activities by the
query below when the caller asks what other rules would give, or while a year waits for a rebuild.
The kept months come from the same increments and running totals (upkeep.completion_months()).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy import Integer, Select, Subquery, and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Rule
from tracker.counting import exempt_on, live_between
from tracker.extensions import db
from tracker.figures.kept_progress import being_rebuilt, completion_month
from tracker.framework_years import evidenced_behaviour, framework_id_of, leadership_lines_in, lines_in
from tracker.models import Activity, ActivityStatus, ActivityType, PersonYearFigures, activity_behaviour


@dataclass
class MonthPoint:
    month: date  # first day of the month
    complete: int  # people complete by the end of this month
    expected: int

    @property
    def percent(self) -> float | None:
        return compliance.percent_of(self.complete, self.expected)


class MonthsSince(FunctionElement):
    """MonthsSince(date_column, year, month): whole months from (year, month) to the date's month.

    EXTRACT in general; on SQLite, whose dates are ISO text, two substr() calls, which cost a
    fifth of strftime() over a year's activities.
    """

    type = Integer()
    inherit_cache = True
    name = "months_since"


@compiles(MonthsSince)
def _months_since(element, compiler, **kw):
    column, year, month = (compiler.process(c, **kw) for c in element.clauses)
    return (f"CAST((EXTRACT(YEAR FROM {column}) - {year}) * 12 + EXTRACT(MONTH FROM {column}) - {month} AS INTEGER)")


@compiles(MonthsSince, "sqlite")
def _months_since_sqlite(element, compiler, **kw):
    column, year, month = (compiler.process(c, **kw) for c in element.clauses)
    return (f"((CAST(substr({column}, 1, 4) AS INTEGER) - {year}) * 12"
            f" + CAST(substr({column}, 6, 2) AS INTEGER) - {month})")


def month_starts(year: AppraisalYear) -> list[date]:
    starts = []
    y, m = year.starts_on.year, year.starts_on.month
    for _ in range(12):
        starts.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return starts


# Months are numbered from the first year's first month: m // 12 is the year (0 the earliest
# asked for), m % 12 the month within it. Two sentinel values of m in the counted rows carry the
# denominators rather than completions:
EVERYONE = -1  # (y, m=-1, n): the people of year y's selection (in post on its reference day)
EXEMPT_NOT_COMPLETE = -2  # (y, m=-2, n): exempt on year y's reference day and not complete in it


def monthly_compliance_years(people_of: Callable[[AppraisalYear], Select], years: list[AppraisalYear],
                             today: date, rules: dict[int, Rule] | None = None) -> list[list[MonthPoint]]:
    """Cumulative compliance at the end of each month up to today's, for consecutive `years`
    (in any order; the result follows it), in one query that scans their activities once.
    `people_of(year)` gives each year's people selection (its roster, so each year counts the
    people, teams and tiers of its own reference day).

    The query is built in four named parts:
      _monthly_increments   what each person added in each month (activities, minutes, behaviours
                            evidenced for the first time that year, a leadership behaviour);
      _running_totals       those summed from the start of each year by window functions;
      _completion_months    the first month of each year in which a person met their tier's rule;
      _counted_rows         (y, m, n): people completing in month m of year y, plus the two
                            sentinel rows above that give each year's denominator.
    """
    # Each year is measured by its own rules, unless the caller asks what one set would give.
    ordered = sorted(years, key=lambda y: y.starts_on)
    first, last = ordered[0], ordered[-1]
    members = _members(people_of, ordered)
    if rules is None and not any(being_rebuilt(year) for year in ordered):
        rows = db.session.execute(_counted_rows(_kept_completion_months(members, ordered), members, ordered,
                                                today)).all()
        series = _series(rows, ordered, today)
        return [series[ordered.index(y)] for y in years]
    ids = select(members.c.id)
    month = MonthsSince(Activity.occurred_on, literal(first.starts_on.year), literal(first.starts_on.month))
    counted = and_(live_between(first.starts_on, last.ends_on), Activity.status == ActivityStatus.SIGNED_OFF,
                   ActivityType.experiential.is_(True), Activity.owner_id.in_(ids))
    running = _running_totals(_monthly_increments(month, counted, [framework_id_of(year) for year in ordered]), members)
    completed = _completion_months(running, [rules or compliance.load_rules(year) for year in ordered])
    rows = db.session.execute(_counted_rows(completed, members, ordered, today)).all()
    series = _series(rows, ordered, today)
    return [series[ordered.index(y)] for y in years]


def _members(people_of, ordered: list[AppraisalYear]):
    """(y, id, tier): the people of each year y (0 the earliest) with the tier they had then."""
    parts = []
    for y, year in enumerate(ordered):
        people = people_of(year).order_by(None).subquery(f"people_{y}")
        parts.append(select(literal(y).label("y"), people.c.id.label("id"), people.c.tier.label("tier")))
    return union_all(*parts).cte("members")


def _monthly_increments(month, counted, frameworks: list[int | None]) -> Subquery:
    """(owner_id, m, acts, minutes, behaviours, leadership): what each person added in month m.
    `frameworks`: the framework of each year (y), by which that year counts behaviours."""
    per_month = (
        select(Activity.owner_id.label("owner_id"), month.label("m"), func.count().label("acts"),
               func.sum(Activity.duration_minutes).label("minutes"), literal(0).label("behaviours"),
               literal(0).label("leadership"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .where(counted)
        .group_by(Activity.owner_id, month)
    )
    # A behaviour counts once a year (once per line of the year's framework, whatever version was
    # evidenced), in the month it was first evidenced. Lines as small id lists, hashed once.
    evidenced = evidenced_behaviour()
    line = evidenced.lineage_id
    if len(set(frameworks)) == 1:
        in_year_framework, leadership = line.in_(lines_in(frameworks[0])), line.in_(leadership_lines_in(frameworks[0]))
    else:
        in_year_framework = or_(*[and_(month // 12 == y, line.in_(lines_in(f))) for y, f in enumerate(frameworks)])
        leadership = or_(*[and_(month // 12 == y, line.in_(leadership_lines_in(f))) for y, f in enumerate(frameworks)])
    first_evidenced = (
        select(Activity.owner_id.label("owner_id"), func.min(month).label("m"),
               func.max(case((leadership, 1), else_=0)).label("leadership"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .join(evidenced, evidenced.id == activity_behaviour.c.behaviour_id)
        .where(counted, in_year_framework)
        .group_by(Activity.owner_id, line, month // 12)
        .subquery("first_evidenced")
    )
    behaviours_per_month = (
        select(first_evidenced.c.owner_id, first_evidenced.c.m, literal(0).label("acts"),
               literal(0).label("minutes"), func.count().label("behaviours"),
               func.max(first_evidenced.c.leadership).label("leadership"))
        .group_by(first_evidenced.c.owner_id, first_evidenced.c.m)
    )
    increments = union_all(per_month, behaviours_per_month).subquery("increments")
    return (
        select(increments.c.owner_id, increments.c.m, func.sum(increments.c.acts).label("acts"),
               func.sum(increments.c.minutes).label("minutes"), func.sum(increments.c.behaviours).label("behaviours"),
               func.max(increments.c.leadership).label("leadership"))
        .group_by(increments.c.owner_id, increments.c.m)
        .subquery("monthly")
    )


def _running_totals(monthly: Subquery, members) -> Subquery:
    """(owner_id, m, y, tier, s_activities, s_minutes, s_behaviours, s_leadership): the totals from
    the start of year y to the end of month m, in the columns compliance.meets_by_tier() reads;
    only for people of year y, at the tier they had in it."""
    window = dict(partition_by=(monthly.c.owner_id, monthly.c.m // 12), order_by=monthly.c.m)
    return (
        select(monthly.c.owner_id, monthly.c.m, (monthly.c.m // 12).label("y"), members.c.tier.label("tier"),
               func.sum(monthly.c.acts).over(**window).label("s_activities"),
               func.sum(monthly.c.minutes).over(**window).label("s_minutes"),
               func.sum(monthly.c.behaviours).over(**window).label("s_behaviours"),
               func.max(monthly.c.leadership).over(**window).label("s_leadership"))
        .join(members, and_(members.c.id == monthly.c.owner_id, members.c.y == monthly.c.m // 12))
        .subquery("running")
    )


def _completion_months(running: Subquery, rules_by_year: list[dict[int, Rule]]):
    """(owner_id, y, m): the first month of year y by whose end the person met year y's rule."""
    met = or_(*[and_(running.c.y == y, compliance.meets_by_tier(rules, running.c, "s"))
                for y, rules in enumerate(rules_by_year)])
    return (
        select(running.c.owner_id, running.c.y, func.min(running.c.m).label("m"))
        .where(met)
        .group_by(running.c.owner_id, running.c.y)
        .cte("completed")
    )


def _kept_completion_months(members, ordered: list[AppraisalYear]):
    """_completion_months() read from the kept figures: each person's kept month of completion at
    the tier they had in year y (tracker.figures.upkeep keeps one per tier)."""
    kept = PersonYearFigures
    month = completion_month(kept, members.c.tier)
    first, last = ordered[0], ordered[-1]
    return (
        select(members.c.id.label("owner_id"), members.c.y, (members.c.y * 12 + month).label("m"))
        .join(kept, and_(kept.person_id == members.c.id, kept.start_year == members.c.y + first.start_year))
        # The years asked for, named as such: the planner cannot see them through y + first year.
        .where(month.is_not(None), kept.start_year.between(first.start_year, last.start_year))
        .cte("completed")
    )


def _counted_rows(completed, members, ordered: list[AppraisalYear], today: date):
    """(y, m, n) rows: completions per month, then the EVERYONE and EXEMPT_NOT_COMPLETE sentinels."""
    parts = [
        select(completed.c.y, completed.c.m, func.count().label("n")).group_by(completed.c.y, completed.c.m),
        select(members.c.y, literal(EVERYONE).label("m"), func.count().label("n")).group_by(members.c.y),
    ]
    for y, year in enumerate(ordered):
        # NOT IN a subquery is one hashed lookup per person, where a correlated EXISTS would rescan.
        not_complete = members.c.id.not_in(select(completed.c.owner_id).where(completed.c.y == y))
        parts.append(select(literal(y).label("y"), literal(EXEMPT_NOT_COMPLETE).label("m"), func.count().label("n"))
                     .where(members.c.y == y, exempt_on(compliance.reference_day(year, today), members.c.id),
                            not_complete))
    return union_all(*parts)


def _series(rows, ordered: list[AppraisalYear], today: date) -> list[list[MonthPoint]]:
    """Each year's points from the counted rows: completions summed month by month up to today."""
    result = []
    for y, year in enumerate(ordered):
        everyone = sum(r.n for r in rows if r.y == y and r.m == EVERYONE)
        expected = everyone - sum(r.n for r in rows if r.y == y and r.m == EXEMPT_NOT_COMPLETE)
        completions = defaultdict(int)
        for r in rows:
            if r.y == y and r.m >= 0:
                completions[int(r.m) - 12 * y] += r.n
        points, complete = [], 0
        for index, start in enumerate(month_starts(year)):
            if start > today:
                break
            complete += completions.get(index, 0)
            points.append(MonthPoint(start, complete, expected))
        result.append(points)
    return result
