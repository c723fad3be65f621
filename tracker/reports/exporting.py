"""What each export holds, and running one: the web download and `flask report export` share
this code path (same query, same columns, same audit entry).

Never reflection text or evidence files: the columns below are all an organisation export can
hold, and tracker.exports refuses anything off its whitelist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Callable, Iterable

from flask import current_app
from sqlalchemy import Float, Select, and_, String, case, cast, func, literal, literal_column, select, type_coerce
from sqlalchemy import text as sql_text

from tracker import compliance, exports, figures, low_priority
from tracker.audit import record
from tracker.compliance import Status
from tracker.counting import counted_in_year, live_activity, out_of_drafts
from tracker.exports import Column
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Course,
    ExemptionReason,
    Person,
)
from tracker.organisation import organisation_root
from tracker.reports import copied_csv
from tracker.scope_filters import Filters

YIELD_PER = 2000

_STATUS_LABELS = {s.value: s.label for s in Status}
_ACTIVITY_LABELS = {s.value: s.label for s in ActivityStatus}
_REASON_LABELS = {r.value: r.label for r in ExemptionReason}


def _label(mapping):
    return lambda value: mapping.get(getattr(value, "value", value), str(value))


def _enum_value(value):
    return getattr(value, "value", value)


def _hours_number(minutes) -> float:
    """durations.minutes_to_hours() as a float, for a numeric cell (a test holds the two equal).
    Float arithmetic because the activities export converts a cell in every row, and Decimal
    would cost about a tenth of its time."""
    return round(int(minutes) / 60, 2)


PEOPLE_COLUMNS = [
    Column("employee_number", "Employee number", width=14),
    Column("name", "Name", width=26),
    Column("email", "Email address", width=32),
    Column("team", "Team", width=28),
    Column("directorate", "Directorate", width=24),
    Column("line_manager", "Line manager", width=26),
    Column("staff_group", "Staff group", convert=_enum_value, width=28),
    Column("tier", "Tier", "int", width=6),
    Column("status", "Status", convert=_label(_STATUS_LABELS), width=18),
    Column("activities", "Experiential activities", "int", width=12),
    Column("hours", "Hours", "number", convert=_hours_number, width=8),
    Column("behaviours", "Behaviours evidenced", "int", width=12),
    Column("behaviours_required", "Behaviours required", "int", width=12),
    Column("last_activity_on", "Last activity date", "date", width=14),
    Column("exempt_reason", "Exempt reason", convert=_label(_REASON_LABELS), width=18),
]

ACTIVITY_COLUMNS = [
    Column("activity_id", "Activity id", "int", width=10),
    Column("person", "Person", width=26),
    Column("employee_number", "Employee number", width=14),
    Column("team", "Team", width=28),
    Column("occurred_on", "Date", "date", width=12),
    Column("activity_type", "Type", width=30),
    Column("course", "Course", width=36),
    Column("duration_hours", "Duration (hours)", "number", convert=_hours_number, width=10),
    Column("behaviour_codes", "Behaviour codes", width=18),
    Column("activity_status", "Status", convert=_label(_ACTIVITY_LABELS), width=12),
    Column("decided_by", "Signed off by", width=24),
    Column("decided_at", "Signed off at", "datetime", width=18),
]

COVERAGE_COLUMNS = [
    Column("unit", "Unit", width=28),
    Column("behaviour_code", "Behaviour code", width=10),
    Column("behaviour", "Behaviour", width=60),
    Column("subject", "Subject", width=36),
    Column("tiers", "Tiers", width=8),
    Column("people_expected", "People it applies to", "int", width=12),
    Column("people_evidenced", "People who evidenced it", "int", width=12),
    Column("percent_evidenced", "Percent evidenced", "number", width=10),
]

UPTAKE_COLUMNS = [
    Column("course_code", "Course code", width=20),
    Column("course", "Course", width=48),
    Column("provider", "Provider", width=36),
    Column("format", "Format", width=12),
    Column("activities", "Activities", "int", width=10),
    Column("people", "People", "int", width=8),
    Column("behaviour_codes", "Behaviours evidenced (activities)", width=40),
]

UPTAKE_BREAKDOWN_COLUMNS = [
    Column("course_code", "Course code", width=20),
    Column("course", "Course", width=48),
    Column("staff_group", "Staff group", convert=_enum_value, width=28),
    Column("directorate", "Directorate", width=24),
    Column("activities", "Activities", "int", width=10),
    Column("people", "People", "int", width=8),
]


@dataclass(frozen=True)
class Export:
    key: str
    title: str
    columns: list[Column]
    rows: Callable  # (people: Select, filters, today, fmt) -> iterable of tuples in column order
    all_years: bool = False
    csv_ready: frozenset[str] = frozenset()  # columns its CSV query formats and neutralises itself
    # (people, filters) -> a query writing every cell as the CSV holds it: PostgreSQL then writes
    # the file itself (copied_csv).
    csv_query: Callable | None = None
    # Its rows choose the status themselves: the status query once, rather than nested inside
    # itself (which SQLite's parser cannot take with a unit filter too).
    chooses_status: bool = False


def _stream(query: Select) -> Iterable:
    """Rows as plain tuples, a batch at a time (a server-side cursor on PostgreSQL)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # An export's plan over a large organisation costs past jit_above_cost, and compiling it
        # took longer than running it (7.6 s of 8.7 s measured); for this transaction only.
        connection.execute(sql_text("SET LOCAL jit = off"))
    # Options on the statement, not the connection: the session's later writes must not stream.
    return connection.execute(query.execution_options(yield_per=YIELD_PER))


def people_rows(people: Select, filters: Filters, today: date, fmt: str):
    rules = compliance.load_rules(filters.year)
    statuses = [filters.status] if filters.status else None
    listed = figures.people_query(people, filters.year, today, rules, statuses=statuses, sort="name",
                                  with_export_columns=True).subquery("listed")
    required = case(*[(listed.c.tier == tier, rule.min_behaviours) for tier, rule in rules.items()], else_=None)
    c = listed.c
    return _stream(select(
        c.employee_number, c.name, c.email, c.team, c.directorate, c.line_manager, c.staff_group, c.tier, c.status,
        c.activities, c.minutes, c.behaviours, required, c.last_activity_on, c.exempt_reason,
    ).order_by(c.name, c.id))


# The activities export can run to millions of rows, so for CSV the database does the per-cell
# work where it can: text is neutralised (the same rule as tracker.exports.neutralise) and the
# status written as its label, hours as _hours_number writes them (a whole number without a
# decimal point), the sign-off time as "YYYY-MM-DD HH:MM" in UTC.
ACTIVITY_CSV_READY = frozenset({"person", "employee_number", "team", "activity_type", "course", "duration_hours",
                                "behaviour_codes", "activity_status", "decided_by", "decided_at"})


def _hours_sql(minutes):
    """_hours_number() by the database: whole hours as an integer, else rounded to 2 places."""
    # 60.0 written as is: NUMERIC on PostgreSQL (round() takes no float there), REAL on SQLite.
    hours = minutes.op("/")(literal_column("60.0"))
    # As text: one CASE type would make PostgreSQL write whole hours as 1.0.
    return case((minutes % 60 == 0, cast(minutes // 60, String)), else_=cast(cast(func.round(hours, 2), Float), String))


def _minute_text_sql(moment):
    """e.g. "2026-01-02 03:04", the wall-clock time in UTC, as exports._csv_datetime writes it."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM-DD HH24:MI")
    return func.substr(moment, 1, 16)  # SQLite keeps it as UTC text


def activities_query(people: Select, filters: Filters, for_csv: bool = False) -> Select:
    """The activities of `people` (a people selection of the year's roster; today's for all
    years), with the team each person was in on the roster's day."""
    owners = people.order_by(None).subquery("owners")
    decider = Person.__table__.alias("decider")
    team = filters.roster_of().unit_names()
    signed = Activity.status == ActivityStatus.SIGNED_OFF
    # Dates and statuses come back as the driver gives them (no per-row type processing); the
    # export's column kinds format either form the same way.
    raw = lambda column: type_coerce(column, String)  # noqa: E731
    text = exports.neutralised_sql if for_csv else (lambda column: column)
    occurred_on = raw(Activity.occurred_on)
    status, hours = raw(Activity.status), Activity.duration_minutes
    decided_at = raw(case((signed, Activity.decided_at), else_=None))
    if for_csv:
        status = case({s.value: s.label for s in ActivityStatus}, value=status, else_=status)
        hours = _hours_sql(Activity.duration_minutes)
        decided_at = case((signed, _minute_text_sql(Activity.decided_at)), else_=None)
        if copied_csv.available():  # PostgreSQL writes this CSV itself, by COPY
            occurred_on = func.to_char(Activity.occurred_on, "YYYY-MM-DD")  # whatever the server's DateStyle
            # Empty text as NULL: COPY writes '' as "", the csv module writes both as nothing.
            text = lambda column: func.nullif(exports.neutralised_sql(column), "")  # noqa: E731
    query = (
        select(
            Activity.id, text(Person.name), text(Person.employee_number), text(team.c.name),
            occurred_on, text(ActivityType.label), text(Course.title), hours,
            text(Activity.behaviour_codes), status, text(case((signed, decider.c.name), else_=None)), decided_at,
        )
        .join(owners, owners.c.id == Activity.owner_id)
        .join(Person, Person.id == Activity.owner_id)
        .join(team, team.c.unit_id == owners.c.team_id)
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .outerjoin(Course, Course.id == Activity.course_id)
        .outerjoin(decider, decider.c.id == Activity.decided_by_id)
        .where(counted_in_year(filters.year) if filters.year else and_(live_activity(), out_of_drafts()))
        .order_by(Activity.occurred_on, Activity.id)
    )
    if filters.activity_type is not None:
        query = query.where(Activity.type_id == filters.activity_type.id)
    return query


def activity_rows(people: Select, filters: Filters, today: date, fmt: str):
    query = activities_query(people, filters, for_csv=fmt == "csv")
    if fmt == "csv" and db.session.get_bind().dialect.name == "sqlite":
        # The CSV query's cells come out as the driver gives them and as the file holds them (no
        # type processing), so its rows are read from the driver's cursor as they are: wrapping
        # each in a SQLAlchemy Row was 0.15-0.25 s of 1.4 s for 110,000 rows.
        return _DriverBatches(query)
    return _stream(query)


class _DriverBatches:
    """A query's rows as the DBAPI cursor gives them, a batch at a time (RowCounter reads
    `partitions`), for a statement whose columns need no conversion by SQLAlchemy. Run without
    yield_per: SQLAlchemy's buffered fetching would take the first row from the cursor itself."""

    def __init__(self, query: Select):
        self.query = query

    def partitions(self):
        result = db.session.connection().execute(self.query)
        try:
            while batch := result.cursor.fetchmany(YIELD_PER):
                yield batch
        finally:
            result.close()


def coverage_rows(people: Select, filters: Filters, today: date, fmt: str):
    type_id = filters.activity_type_id
    roster = filters.roster_of()
    scope_name = roster.as_it_was(filters.unit).name if filters.unit else "Whole organisation"
    rows = []
    for c in figures.behaviour_coverage(people, filters.year, today, type_id):
        rows.append((scope_name, c.code, c.text, c.subject, ", ".join(map(str, c.tiers)), c.expected, c.evidenced,
                     c.percent))
    parent = filters.unit or organisation_root()
    units = roster.children(parent.id) if parent else []
    if units:
        by_unit = figures.behaviour_coverage_by_unit(people, filters.year, today, [u.id for u in units], type_id)
        behaviours = figures.framework_behaviours(filters.year)
        for unit in units:
            found = by_unit[unit.id]
            for bid, code, text, subject, tiers in behaviours:
                c = found.get(bid)
                rows.append((unit.name, code, text, subject, ", ".join(map(str, tiers)), c.expected if c else 0,
                             c.evidenced if c else 0, c.percent if c else None))
    return rows


def uptake_rows(people: Select, filters: Filters, today: date, fmt: str):
    type_id = filters.activity_type_id
    codes: dict[int, list[str]] = {}
    for course_id, code, n in figures.course_behaviours(people, filters.year, type_id):
        codes.setdefault(course_id, []).append(f"{code} ({n})")
    return [(r.code, r.title, r.provider, r.format, r.activities, r.people, "; ".join(codes.get(r.course_id, [])))
            for r in figures.course_uptake(people, filters.year, type_id)]


def uptake_breakdown_rows(people: Select, filters: Filters, today: date, fmt: str):
    conditions = figures.course_activity_conditions(people, filters.year, filters.activity_type_id)
    owners = people.order_by(None).subquery("owners")
    directorates = filters.roster_of().directorate_names()
    directorate = func.coalesce(directorates.c.name, "No directorate")
    return _stream(
        select(Course.code, Course.title, owners.c.staff_group, directorate, func.count(Activity.id),
               func.count(func.distinct(Activity.owner_id)))
        .join(Activity, Activity.course_id == Course.id)
        .join(owners, owners.c.id == Activity.owner_id)
        .outerjoin(directorates, directorates.c.unit_id == owners.c.team_id)
        .where(*conditions)
        .group_by(Course.code, Course.title, owners.c.staff_group, directorate)
        .order_by(Course.title, owners.c.staff_group, directorate)
    )


EXPORTS: dict[str, Export] = {export.key: export for export in (
    Export("people", "Compliance by person", PEOPLE_COLUMNS, people_rows, chooses_status=True),
    Export("activities", "Activities", ACTIVITY_COLUMNS, activity_rows, all_years=True, csv_ready=ACTIVITY_CSV_READY,
           csv_query=lambda people, filters: activities_query(people, filters, for_csv=True)),
    Export("coverage", "Behaviour coverage", COVERAGE_COLUMNS, coverage_rows),
    Export("uptake", "Training uptake", UPTAKE_COLUMNS, uptake_rows),
    Export("uptake-breakdown", "Training uptake by staff group and directorate", UPTAKE_BREAKDOWN_COLUMNS,
           uptake_breakdown_rows),
)}


def estimated_rows(key: str, *, scope: Callable, filters: Filters) -> int:
    """About how many rows the export will hold, counted without building them: the people in
    scope for the by-person export, their activities in the window for the activities export
    (both at most a count over indexed columns). The other exports hold a row per behaviour, unit
    or course: never long. Decides whether an export streams at once or is prepared by a worker."""
    if key == "people":
        roster = filters.roster_of()
        people = filters.narrow(scope(roster), roster)
        return db.session.scalar(select(func.count()).select_from(people.order_by(None).subquery())) or 0
    if key == "activities":
        owners = filters.people(scope).order_by(None).subquery("owners")
        query = (select(func.count()).select_from(Activity).join(owners, owners.c.id == Activity.owner_id)
                 .where(counted_in_year(filters.year) if filters.year else and_(live_activity(), out_of_drafts())))
        if filters.activity_type is not None:
            query = query.where(Activity.type_id == filters.activity_type.id)
        return db.session.scalar(query) or 0
    return 0


@dataclass
class Prepared:
    file_name: str
    mimetype: str
    body: Iterable[bytes]


def prepare(key: str, fmt: str, *, actor: Person | None, scope: Callable, filters: Filters, today: date,
            audience: str = "organisation", source: str = "web",
            progress: Callable[[int], None] | None = None) -> Prepared:
    """Build the export and its streaming body. The audit entry (who, what, filters, rows) is
    written and committed when the last byte has been produced."""
    export = EXPORTS[key]
    columns = exports.for_audience(export.columns, audience)
    if filters.year is None and not export.all_years:
        raise ValueError("this export needs a year")
    if export.chooses_status:
        roster = filters.roster_of()
        scoped = filters.narrow(scope(roster), roster)
    else:
        scoped = filters.people(scope)
    generated_at = datetime.now(UTC)
    organisation = organisation_root()
    organisation_name = current_app.config.get("ORGANISATION_NAME") or (organisation.name if organisation else "")
    description = [("Export", export.title), ("Organisation", organisation_name), *filters.described(),
                   ("Generated", generated_at.strftime("%d %B %Y %H:%M UTC")),
                   ("Generated by", actor.name if actor else "Scheduled job (command line)"),
                   ("Status rule", "Only signed-off experiential activities count toward complete."),
                   ("Contents", "Counts, statuses and behaviours only; never reflection text or evidence files.")]
    counted = exports.RowCounter(lambda: export.rows(scoped, filters, today, fmt), progress)

    def chunks():
        if fmt == "csv" and export.csv_query and copied_csv.available():
            return copied_csv.csv_bytes(columns, lambda: export.csv_query(scoped, filters), counted)
        return exports.chunks(fmt, columns, counted, sheet_title=export.title, description=description,
                              csv_ready=export.csv_ready)

    def body():
        completed = False
        try:
            # Written by a thread at a lower CPU priority, so the pages around it keep their pace.
            yield from low_priority.produced_in_background(chunks, current_app.config["EXPORT_NICENESS"])
            completed = True
        finally:
            record(actor, "report.exported", export=key, format=fmt, source=source,
                   filters=filters.args(), rows=counted.count, completed=completed)
            db.session.commit()

    name = exports.file_name(organisation_name, filters.unit.name if filters.unit else "", key,
                             filters.year.label if filters.year else "all years", fmt=fmt, day=today)
    return Prepared(name, exports.MIMETYPES[fmt], body())

