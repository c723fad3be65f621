"""The figures both dashboards draw, aggregated in SQL over any scope of people.

Everything here starts from a select of Person (a scope from tracker.access, narrowed by
filters) and from compliance.status_query(), so every count agrees with the per-person
status of My year. Python only rolls up already-grouped rows (a few per team), never people.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Integer, Select, String, and_, case, distinct, exists, func, literal, select, type_coerce, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Rule, Status
from tracker.extensions import db
from tracker.framework_import import current_framework
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Behaviour,
    BehaviourTier,
    Course,
    Domain,
    Exemption,
    OrganisationUnit,
    Person,
    StaffGroup,
    Subject,
    UnitClosure,
    UnitKind,
    activity_behaviour,
    course_behaviour,
)

# A behaviour evidenced by fewer than this share of the people it applies to is a gap.
RARE_BEHAVIOUR_PERCENT = 30


# --- counts by status ------------------------------------------------------------------


@dataclass
class Tally:
    """People in each status, and the compliance figure they make."""

    counts: dict[Status, int] = field(default_factory=lambda: {s: 0 for s in Status})

    def add(self, status: Status, n: int) -> None:
        self.counts[status] += n

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


def active(people: Select) -> Select:
    """Dashboards count active staff only."""
    return people.where(Person.active.is_(True))


def status_cube(people: Select, year: AppraisalYear, today: date, rules: dict[int, Rule] | None = None):
    """(team_id, staff_group, tier, status, n) for the active people of `people`: one GROUP BY.

    Every roll-up a dashboard shows (overall, per team, per unit, per staff group, per tier)
    is a sum over these few rows, so a page runs the heavy status query once.
    """
    statuses = compliance.status_query(active(people), year, today, rules).subquery("statuses")
    staff_group = type_coerce(Person.staff_group, String)  # mapped below, once per distinct value
    query = (
        select(Person.team_id, staff_group, Person.tier, statuses.c.status, func.count().label("n"))
        .join(statuses, statuses.c.person_id == Person.id)
        .group_by(Person.team_id, staff_group, Person.tier, statuses.c.status)
    )
    return [CubeRow(team_id, _STAFF_GROUPS[group], tier, _STATUSES[status], n)
            for team_id, group, tier, status, n in db.session.execute(query)]


class CubeRow(NamedTuple):
    team_id: int
    staff_group: StaffGroup
    tier: int
    status: Status
    n: int


_STATUSES = {s.value: s for s in Status}
_STAFF_GROUPS = {g.value: g for g in StaffGroup}


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


def child_units(parent_id: int) -> list[OrganisationUnit]:
    return list(db.session.scalars(
        select(OrganisationUnit).where(OrganisationUnit.parent_id == parent_id).order_by(OrganisationUnit.name)
    ))


def units_beneath(unit_ids) -> dict[int, int]:
    """team/unit id -> which of `unit_ids` it lies under (itself included)."""
    rows = db.session.execute(
        select(UnitClosure.descendant_id, UnitClosure.ancestor_id).where(UnitClosure.ancestor_id.in_(list(unit_ids)))
    )
    return {descendant: ancestor for descendant, ancestor in rows}


def tallies_by_unit(cube, unit_ids) -> dict[int, Tally]:
    """One Tally per unit of `unit_ids`, each counting everyone beneath that unit."""
    under = units_beneath(unit_ids)
    tallies = roll_up(cube, lambda row: under.get(row.team_id))
    return {unit_id: tallies.get(unit_id, Tally()) for unit_id in unit_ids}


@dataclass
class UnitFigures:
    unit: OrganisationUnit
    tally: Tally
    has_children: bool = False


def ranked_units(cube, units: list[OrganisationUnit], with_children: set[int] | None = None) -> list[UnitFigures]:
    """Units with their figures, lowest compliance first (units with nobody expected last)."""
    tallies = tallies_by_unit(cube, [u.id for u in units])
    rows = [UnitFigures(u, tallies[u.id], u.id in (with_children or set())) for u in units]
    rows.sort(key=lambda r: (r.tally.percent is None, r.tally.percent or 0, r.unit.name))
    return rows


def units_with_children(unit_ids) -> set[int]:
    ids = list(unit_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(OrganisationUnit.parent_id).where(OrganisationUnit.parent_id.in_(ids)).distinct()
    ))


def teams_in_cube(cube) -> list[OrganisationUnit]:
    team_ids = {row.team_id for row in cube}
    if not team_ids:
        return []
    return list(db.session.scalars(select(OrganisationUnit).where(OrganisationUnit.id.in_(team_ids))))


# --- one row per person ----------------------------------------------------------------

PEOPLE_SORTS = {
    "name": lambda c: (c["name"],),
    "team": lambda c: (c["team"], c["name"]),
    "staff_group": lambda c: (c["staff_group"], c["name"]),
    "tier": lambda c: (c["tier"], c["name"]),
    "status": lambda c: (c["status_order"], c["name"]),
    "activities": lambda c: (c["activities"], c["name"]),
    "hours": lambda c: (c["minutes"], c["name"]),
    "behaviours": lambda c: (c["behaviours"], c["name"]),
    "last_activity": lambda c: (c["last_activity_on"], c["name"]),
    "pending": lambda c: (c["pending"], c["name"]),
}

# The order a manager reads statuses in: who needs something first.
STATUS_ORDER = (Status.OVERDUE, Status.NOT_STARTED, Status.IN_PROGRESS, Status.AWAITING_SIGN_OFF,
                Status.COMPLETE, Status.EXEMPT)


def directorate_names() -> Select:
    """team id -> the name of the directorate above it (as a subquery)."""
    directorate = OrganisationUnit.__table__.alias("directorate")
    return (
        select(UnitClosure.descendant_id.label("unit_id"), func.min(directorate.c.name).label("name"))
        .join(directorate, directorate.c.id == UnitClosure.ancestor_id)
        .where(directorate.c.kind == UnitKind.DIRECTORATE.value)
        .group_by(UnitClosure.descendant_id)
        .subquery("directorates")
    )


def people_query(people: Select, year: AppraisalYear, today: date, rules: dict[int, Rule] | None = None,
                 statuses: list[Status] | None = None, sort: str = "status", descending: bool = False,
                 with_export_columns: bool = False) -> Select:
    """One row per active person with the figures of the dashboard table (and the export)."""
    scope = active(people)
    figures = compliance.status_query(scope, year, today, rules).subquery("figures")
    ids = scope.with_only_columns(Person.id).order_by(None)
    last = (
        select(Activity.owner_id.label("owner_id"), func.max(Activity.occurred_on).label("last_on"))
        .where(Activity.deleted_at.is_(None), Activity.occurred_on >= year.starts_on,
               Activity.occurred_on <= year.ends_on, Activity.owner_id.in_(ids))
        .group_by(Activity.owner_id)
        .subquery("last_activity")
    )
    team = OrganisationUnit.__table__.alias("team")
    status_order = case(
        *[(figures.c.status == s.value, i) for i, s in enumerate(STATUS_ORDER)], else_=len(STATUS_ORDER)
    )
    columns = {
        "id": Person.id,
        "name": Person.name,
        "team_id": Person.team_id,
        "team": team.c.name,
        "staff_group": Person.staff_group,
        "tier": Person.tier,
        "status": figures.c.status,
        "status_order": status_order,
        "activities": figures.c.s_activities,
        "minutes": figures.c.s_minutes,
        "behaviours": figures.c.s_behaviours,
        "pending": figures.c.pending_activities,
        "last_activity_on": last.c.last_on,
    }
    query = (
        select(*[col.label(name) for name, col in columns.items()])
        .join(figures, figures.c.person_id == Person.id)
        .join(team, team.c.id == Person.team_id)
        .outerjoin(last, last.c.owner_id == Person.id)
    )
    if with_export_columns:
        directorates = directorate_names()
        day = compliance.reference_day(year, today)
        reasons = (
            select(Exemption.person_id.label("person_id"), func.min(Exemption.reason).label("reason"))
            .where(Exemption.starts_on <= day, Exemption.ends_on >= day, Exemption.person_id.in_(ids))
            .group_by(Exemption.person_id)
            .subquery("exemption_reasons")
        )
        query = (
            query.add_columns(Person.employee_number.label("employee_number"), Person.email.label("email"),
                              directorates.c.name.label("directorate"), reasons.c.reason.label("exempt_reason"))
            .outerjoin(directorates, directorates.c.unit_id == Person.team_id)
            .outerjoin(reasons, reasons.c.person_id == Person.id)
        )
    if statuses:
        query = query.where(figures.c.status.in_([s.value for s in statuses]))
    order = PEOPLE_SORTS.get(sort, PEOPLE_SORTS["status"])(columns)
    order = [c.desc() if descending else c.asc() for c in order[:1]] + list(order[1:]) + [Person.id]
    return query.order_by(*order)


def hours(minutes) -> Decimal:
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.01"))


# --- behaviour coverage ----------------------------------------------------------------


@dataclass
class Coverage:
    behaviour_id: int
    code: str
    text: str
    subject: str
    tiers: list[int]
    expected: int  # people of the tiers it applies to
    evidenced: int  # of those, how many evidenced it this year

    @property
    def percent(self) -> float | None:
        return round(100 * self.evidenced / self.expected, 1) if self.expected else None

    @property
    def is_gap(self) -> bool:
        return self.percent is not None and self.percent < RARE_BEHAVIOUR_PERCENT


def _not_exempt(year: AppraisalYear, today: date):
    day = compliance.reference_day(year, today)
    return ~exists().where(Exemption.person_id == Person.id, Exemption.starts_on <= day, Exemption.ends_on >= day)


def _in_year(year: AppraisalYear):
    return and_(Activity.deleted_at.is_(None), Activity.occurred_on >= year.starts_on,
                Activity.occurred_on <= year.ends_on)


def coverage_query(people: Select, year: AppraisalYear, today: date, group_units=None,
                   activity_type_id: int | None = None) -> Select:
    """Per behaviour (and per unit of `group_units`, if given): people expected and people who
    evidenced it in a signed-off experiential activity this year. Exempt people are left out."""
    framework = current_framework()
    scope = active(people).where(_not_exempt(year, today))
    unit_col = literal(0)
    person_cols = [Person.id.label("person_id"), Person.tier.label("tier")]
    if group_units is not None:
        scope = scope.join(UnitClosure, UnitClosure.descendant_id == Person.team_id).where(
            UnitClosure.ancestor_id.in_(list(group_units)))
        person_cols.append(UnitClosure.ancestor_id.label("unit_id"))
    else:
        person_cols.append(unit_col.label("unit_id"))
    persons = scope.with_only_columns(*person_cols).order_by(None).subquery("persons")

    expected = (
        select(persons.c.unit_id, BehaviourTier.behaviour_id, func.count().label("n"))
        .join(persons, persons.c.tier == BehaviourTier.tier)
        .group_by(persons.c.unit_id, BehaviourTier.behaviour_id)
        .subquery("expected")
    )
    evidence_conditions = [_in_year(year), Activity.status == ActivityStatus.SIGNED_OFF,
                           ActivityType.experiential.is_(True)]
    if activity_type_id is not None:
        evidence_conditions.append(Activity.type_id == activity_type_id)
    pairs = (
        select(Activity.owner_id.label("person_id"), activity_behaviour.c.behaviour_id.label("behaviour_id"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .where(*evidence_conditions, Activity.owner_id.in_(select(persons.c.person_id)))
        .distinct()
        .subquery("pairs")
    )
    evidenced = (
        select(persons.c.unit_id, pairs.c.behaviour_id, func.count().label("n"))
        .join(persons, persons.c.person_id == pairs.c.person_id)
        .join(BehaviourTier, and_(BehaviourTier.behaviour_id == pairs.c.behaviour_id,
                                  BehaviourTier.tier == persons.c.tier))
        .group_by(persons.c.unit_id, pairs.c.behaviour_id)
        .subquery("evidenced")
    )
    return (
        select(expected.c.unit_id, Behaviour.id.label("behaviour_id"), expected.c.n.label("expected"),
               func.coalesce(evidenced.c.n, 0).label("evidenced"))
        .join(expected, expected.c.behaviour_id == Behaviour.id)
        .outerjoin(evidenced, and_(evidenced.c.behaviour_id == Behaviour.id,
                                   evidenced.c.unit_id == expected.c.unit_id))
        .where(Behaviour.framework_id == (framework.id if framework else -1))
    )


def framework_behaviours() -> list[tuple]:
    """(id, code, text, subject title, tiers) of the current framework, in framework order."""
    framework = current_framework()
    if framework is None:
        return []
    tiers = defaultdict(list)
    for behaviour_id, tier in db.session.execute(
        select(BehaviourTier.behaviour_id, BehaviourTier.tier)
        .join(Behaviour, Behaviour.id == BehaviourTier.behaviour_id)
        .where(Behaviour.framework_id == framework.id).order_by(BehaviourTier.tier)
    ):
        tiers[behaviour_id].append(tier)
    rows = db.session.execute(
        select(Behaviour.id, Behaviour.code, Behaviour.text, Subject.title)
        .join(Subject, Subject.id == Behaviour.subject_id)
        .join(Domain, Domain.id == Subject.domain_id)
        .where(Behaviour.framework_id == framework.id)
        .order_by(Domain.position, Subject.position, Behaviour.position, Behaviour.id)
    )
    return [(bid, code, text, subject, tiers[bid]) for bid, code, text, subject in rows]


def behaviour_coverage(people: Select, year: AppraisalYear, today: date,
                       activity_type_id: int | None = None) -> list[Coverage]:
    """Coverage of every behaviour of the current framework, in framework order."""
    found = {row.behaviour_id: row for row in db.session.execute(
        coverage_query(people, year, today, activity_type_id=activity_type_id))}
    result = []
    for bid, code, text, subject, tiers in framework_behaviours():
        row = found.get(bid)
        result.append(Coverage(bid, code, text, subject, tiers, row.expected if row else 0,
                               row.evidenced if row else 0))
    return result


def behaviour_coverage_by_unit(people: Select, year: AppraisalYear, today: date, unit_ids,
                               activity_type_id: int | None = None) -> dict[int, dict[int, Coverage]]:
    """unit id -> behaviour id -> Coverage, for everyone beneath each unit."""
    behaviours = {b[0]: b for b in framework_behaviours()}
    result: dict[int, dict[int, Coverage]] = {u: {} for u in unit_ids}
    for row in db.session.execute(coverage_query(people, year, today, group_units=unit_ids,
                                                 activity_type_id=activity_type_id)):
        bid, code, text, subject, tiers = behaviours[row.behaviour_id]
        result[row.unit_id][bid] = Coverage(bid, code, text, subject, tiers, row.expected, row.evidenced)
    return result


def lowest_first(coverage: list[Coverage]) -> list[Coverage]:
    return sorted(coverage, key=lambda c: (c.percent is None, c.percent or 0, c.code))


# --- month by month --------------------------------------------------------------------


@dataclass
class MonthPoint:
    month: date  # first day of the month
    complete: int  # people complete by the end of this month
    expected: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.complete / self.expected, 1) if self.expected else None


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


def monthly_compliance(people: Select, year: AppraisalYear, today: date,
                       rules: dict[int, Rule] | None = None) -> list[MonthPoint]:
    """Cumulative compliance at the end of each month of `year` (up to today's month)."""
    return monthly_compliance_years(people, [year], today, rules)[0]


def monthly_compliance_years(people: Select, years: list[AppraisalYear], today: date,
                             rules: dict[int, Rule] | None = None) -> list[list[MonthPoint]]:
    """Cumulative compliance at the end of each month, for consecutive years, in one query.

    A person is complete at the end of month m when their signed-off experiential activities
    dated from the start of that year up to then meet their tier's rule; each year's denominator
    is that year's (exemptions on its reference day), so a year's last point equals its headline
    figure. The query scans the activities of all the years once: running totals per person and
    year by window functions, the month each person first met the rule, then counts per month.
    """
    rules = rules or compliance.load_rules()
    ordered = sorted(years, key=lambda y: y.starts_on)
    first, last = ordered[0], ordered[-1]
    scope = active(people)
    ids = scope.with_only_columns(Person.id).order_by(None)
    # Months counted from the first year's first month: m // 12 is the year, m % 12 the month in it.
    month_index = MonthsSince(Activity.occurred_on, literal(first.starts_on.year), literal(first.starts_on.month))
    counted = and_(Activity.deleted_at.is_(None), Activity.occurred_on >= first.starts_on,
                   Activity.occurred_on <= last.ends_on, Activity.status == ActivityStatus.SIGNED_OFF,
                   ActivityType.experiential.is_(True), Activity.owner_id.in_(ids))
    per_month = (
        select(Activity.owner_id.label("owner_id"), month_index.label("m"), func.count().label("acts"),
               func.sum(Activity.duration_minutes).label("minutes"), literal(0).label("behaviours"),
               literal(0).label("leadership"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .where(counted)
        .group_by(Activity.owner_id, month_index)
    )
    # Leadership behaviours as a (small, hashed once) id list rather than two joins per row.
    leadership_behaviours = (select(Behaviour.id).join(Subject, Subject.id == Behaviour.subject_id)
                             .where(Subject.is_leadership.is_(True)))
    first_evidenced = (
        select(Activity.owner_id.label("owner_id"), func.min(month_index).label("m"),
               func.max(case((activity_behaviour.c.behaviour_id.in_(leadership_behaviours), 1), else_=0))
               .label("leadership"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .where(counted)
        .group_by(Activity.owner_id, activity_behaviour.c.behaviour_id, month_index // 12)
        .subquery("first_evidenced")
    )
    behaviours_per_month = (
        select(first_evidenced.c.owner_id, first_evidenced.c.m, literal(0).label("acts"),
               literal(0).label("minutes"), func.count().label("behaviours"),
               func.max(first_evidenced.c.leadership).label("leadership"))
        .group_by(first_evidenced.c.owner_id, first_evidenced.c.m)
    )
    increments = union_all(per_month, behaviours_per_month).subquery("increments")
    monthly = (
        select(increments.c.owner_id, increments.c.m, func.sum(increments.c.acts).label("acts"),
               func.sum(increments.c.minutes).label("minutes"), func.sum(increments.c.behaviours).label("behaviours"),
               func.max(increments.c.leadership).label("leadership"))
        .group_by(increments.c.owner_id, increments.c.m)
        .subquery("monthly")
    )
    window = dict(partition_by=(monthly.c.owner_id, monthly.c.m // 12), order_by=monthly.c.m)
    running = (
        select(monthly.c.owner_id, monthly.c.m, (monthly.c.m // 12).label("y"), Person.tier.label("tier"),
               func.sum(monthly.c.acts).over(**window).label("s_activities"),
               func.sum(monthly.c.minutes).over(**window).label("s_minutes"),
               func.sum(monthly.c.behaviours).over(**window).label("s_behaviours"),
               func.max(monthly.c.leadership).over(**window).label("s_leadership"))
        .join(Person, Person.id == monthly.c.owner_id)
        .subquery("running")
    )
    completed = (
        select(running.c.owner_id, running.c.y, func.min(running.c.m).label("m"))
        .where(compliance.meets_by_tier(rules, running.c, "s"))
        .group_by(running.c.owner_id, running.c.y)
        .cte("completed")
    )
    parts = [
        select(completed.c.y, completed.c.m, func.count().label("n")).group_by(completed.c.y, completed.c.m),
        select(literal(-1).label("y"), literal(-1).label("m"), func.count().label("n")).where(Person.id.in_(ids)),
    ]
    for j, year in enumerate(ordered):
        day = compliance.reference_day(year, today)
        exempt = exists().where(Exemption.person_id == Person.id, Exemption.starts_on <= day, Exemption.ends_on >= day)
        # Exempt and not complete: out of that year's denominator (marked by m = -2). NOT IN a
        # subquery is one hashed lookup per person, where a correlated EXISTS would rescan.
        not_done = Person.id.not_in(select(completed.c.owner_id).where(completed.c.y == j))
        parts.append(select(literal(j).label("y"), literal(-2).label("m"), func.count().label("n"))
                     .where(Person.id.in_(ids), exempt, not_done))
    rows = db.session.execute(union_all(*parts)).all()

    total = next(r.n for r in rows if r.y == -1)
    result = []
    for j, year in enumerate(ordered):
        expected = total - sum(r.n for r in rows if r.y == j and r.m == -2)
        completions = defaultdict(int)
        for r in rows:
            if r.y == j and r.m >= 0:
                completions[int(r.m) - 12 * j] += r.n
        points, running_total = [], 0
        for index, start in enumerate(month_starts(year)):
            if start > today:
                break
            running_total += completions.get(index, 0)
            points.append(MonthPoint(start, running_total, expected))
        result.append(points)
    return [result[ordered.index(y)] for y in years]


# --- training uptake -------------------------------------------------------------------


def course_activity_conditions(people: Select, year: AppraisalYear, activity_type_id: int | None):
    conditions = [_in_year(year), Activity.course_id.is_not(None),
                  Activity.owner_id.in_(active(people).with_only_columns(Person.id).order_by(None))]
    if activity_type_id is not None:
        conditions.append(Activity.type_id == activity_type_id)
    return conditions


def course_uptake(people: Select, year: AppraisalYear, activity_type_id: int | None = None):
    """Per catalogue course used this year: activities logged with it and distinct people, most used first."""
    return db.session.execute(
        select(Course.id.label("course_id"), Course.code, Course.title, Course.provider, Course.format,
               func.count(Activity.id).label("activities"), func.count(distinct(Activity.owner_id)).label("people"))
        .join(Activity, Activity.course_id == Course.id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Course.id, Course.code, Course.title, Course.provider, Course.format)
        .order_by(func.count(Activity.id).desc(), Course.title)
    ).all()


def course_uptake_by(people: Select, year: AppraisalYear, by: str, activity_type_id: int | None = None):
    """(course_id, key, activities, people) where key is the staff group or the directorate name."""
    if by == "staff_group":
        key = Person.staff_group
        query = select(Activity.course_id, key.label("key"))
    elif by == "directorate":
        directorates = directorate_names()
        key = func.coalesce(directorates.c.name, "No directorate")
        query = select(Activity.course_id, key.label("key"))
    else:
        raise ValueError(by)
    query = (
        query.add_columns(func.count(Activity.id).label("activities"),
                          func.count(distinct(Activity.owner_id)).label("people"))
        .join(Person, Person.id == Activity.owner_id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Activity.course_id, key)
        .order_by(Activity.course_id, func.count(Activity.id).desc())
    )
    if by == "directorate":
        query = query.outerjoin(directorates, directorates.c.unit_id == Person.team_id)
    return db.session.execute(query).all()


def course_behaviours(people: Select, year: AppraisalYear, activity_type_id: int | None = None):
    """(course_id, behaviour code, activities): which behaviours each course was used to evidence."""
    return db.session.execute(
        select(Activity.course_id, Behaviour.code, func.count(Activity.id).label("activities"))
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .join(Behaviour, Behaviour.id == activity_behaviour.c.behaviour_id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Activity.course_id, Behaviour.code)
        .order_by(Activity.course_id, func.count(Activity.id).desc(), Behaviour.code)
    ).all()


def courses_for_behaviours(behaviour_ids, limit: int = 5):
    """Catalogue courses that teach the most of the given behaviours, for suggestions."""
    ids = list(behaviour_ids)
    if not ids:
        return []
    return db.session.execute(
        select(Course.id, Course.title, Course.provider, Course.format, Course.url,
               func.count(course_behaviour.c.behaviour_id).label("matches"))
        .join(course_behaviour, course_behaviour.c.course_id == Course.id)
        .where(course_behaviour.c.behaviour_id.in_(ids), Course.retired.is_(False))
        .group_by(Course.id, Course.title, Course.provider, Course.format, Course.url)
        .order_by(func.count(course_behaviour.c.behaviour_id).desc(), Course.experiential.desc(), Course.title)
        .limit(limit)
    ).all()


MONTH_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def template_globals() -> dict:
    """Names the dashboard templates (and the table macros they import) use."""
    return {
        "hours": hours,
        "Status": Status,
        "STATUS_LABELS_BY_VALUE": {s.value: s.label for s in Status},
        "STATUS_DISPLAY_ORDER": (Status.COMPLETE, Status.AWAITING_SIGN_OFF, Status.IN_PROGRESS,
                                 Status.NOT_STARTED, Status.EXEMPT, Status.OVERDUE),
    }
