"""Each person's figures for each appraisal year, kept in `person_year_figures` and kept up to date.

What is kept, and why that stays right without a nightly recomputation of everything:
the table holds only what the person's own activities give for the year (experiential activities,
minutes, distinct behaviours and a leadership behaviour, signed off and with those awaiting sign-off;
activities logged and pending; the last activity's date; and, for each tier, the month by whose
end the signed-off figures first meet that tier's rule). None of these depends on the day, on the
person's team, tier or staff group, or on exemptions: a move, a tier change, a leaver, an exemption
recorded or ended, and the passing of time (a year ending, so "overdue"; the reference day moving,
so the exemptions in force) change nothing stored. The status is decided when read
(compliance.status_case over the kept figures, the roster of the year's reference day, its
exemptions and today), exactly as it was decided over figures computed from the activities.

The figures do depend on the person's activities of the year (kept in the transaction of every
change, below), on the year's framework (which lines count, which are leadership) and, for the
completion months only, on the year's rules. A rule or framework change marks the years it can
affect (`figures_rebuild`); until a rebuild (`flask figures rebuild`, or the Celery beat task)
clears the mark, readers compute those years from the activities and pages say the figures are
being updated, so no page ever shows a stale figure.

How it is kept: a session hook notes every ORM change to an activity that the rule reads (owner,
date, status, deletion, type, minutes, behaviours) and, at the end of the same flush, recomputes
that person's year with one grouped upsert (`refresh()`). The few writes that are guarded
`UPDATE … WHERE` statements rather than ORM changes (sign-off, return, undo, signing off together,
withdrawing, deleting, erasure) call `refresh()` themselves. Bulk loads (migration 0033, the demo)
fill whole years with one INSERT … SELECT (`rebuild_year()`).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import Select, TextClause, and_, case, delete, event, func, literal, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, attributes

from tracker import compliance
from tracker.appraisal_year import AppraisalYear, year_containing
from tracker.counting import live_in_year
from tracker.framework_years import framework_id_in_force
from tracker.figures import counted, kept_lines
from tracker.figures.kept_progress import forget_marks
from tracker.figures.monthly import MonthsSince, _monthly_increments
from tracker.models import (TIERS, Activity, ActivityStatus, ActivityType, CountedYear, FiguresRebuild, PersonYearFigures,
                            PersonYearLine)

KEPT_TIERS = (1, 2, 3)  # person.tier's CHECK constraint: one completion month column each
FIGURES = ("logged", "pending_activities", "s_activities", "s_minutes", "s_behaviours", "s_leadership",
           "p_activities", "p_minutes", "p_behaviours", "p_leadership", "last_activity_on",
           *(f"complete_month_{tier}" for tier in KEPT_TIERS))
_READ_BY_THE_RULE = ("owner_id", "occurred_on", "status", "deleted_at", "type_id", "duration_minutes", "behaviours")
_TOUCHED = "figures_touched"
assert set(TIERS) == set(KEPT_TIERS)


def _start_month() -> int:
    return int(current_app.config.get("APPRAISAL_YEAR_START_MONTH", 4)) if has_app_context() else 4


def year_of(day: date, start_month: int | None = None) -> AppraisalYear:
    return year_containing(day, start_month or _start_month())


# --- the one grouped statement ----------------------------------------------------------


def completion_months(owners: Select, year: AppraisalYear, framework_id: int | None, rules) -> Select:
    """(owner_id, m1, m2, m3): the first month (0 the year's first) by whose end each owner's
    signed-off experiential activities dated from the year's start meet each tier's rule; the
    same increments and running totals as the monthly series (tracker.figures.monthly)."""
    month = MonthsSince(Activity.occurred_on, literal(year.starts_on.year), literal(year.starts_on.month))
    counted = and_(live_in_year(year), Activity.status == ActivityStatus.SIGNED_OFF,
                   ActivityType.experiential.is_(True), Activity.owner_id.in_(owners))
    monthly = _monthly_increments(month, counted, [framework_id])
    window = dict(partition_by=monthly.c.owner_id, order_by=monthly.c.m)
    running = select(
        monthly.c.owner_id, monthly.c.m,
        func.sum(monthly.c.acts).over(**window).label("s_activities"),
        func.sum(monthly.c.minutes).over(**window).label("s_minutes"),
        func.sum(monthly.c.behaviours).over(**window).label("s_behaviours"),
        func.max(monthly.c.leadership).over(**window).label("s_leadership"),
    ).subquery("running")
    return select(running.c.owner_id, *[
        func.min(case((compliance.meets_sql(rules[tier], running.c, "s"), running.c.m))).label(f"m{tier}")
        for tier in KEPT_TIERS]).group_by(running.c.owner_id)


def figures_select(owners: Select, year: AppraisalYear, framework_id: int | None, rules) -> Select:
    """One row per id of `owners` (a one-column select of person ids) in the columns of
    person_year_figures, computed from the activities by the rule's own SQL (tracker.compliance)."""
    base = owners.subquery("owners")
    ids = select(base.c[0])
    acts = compliance.activity_figures(ids, year).subquery("acts")
    behaviours = compliance.behaviour_figures(ids, year, framework_id).subquery("behaviours")
    months = completion_months(ids, year, framework_id, rules).subquery("months")
    zero = lambda column: func.coalesce(column, 0)  # noqa: E731
    values = (zero(acts.c.logged), zero(acts.c.pending), zero(acts.c.s_activities), zero(acts.c.s_minutes),
              zero(behaviours.c.s_behaviours), zero(behaviours.c.s_leadership),
              zero(acts.c.p_activities), zero(acts.c.p_minutes),
              zero(behaviours.c.p_behaviours), zero(behaviours.c.p_leadership), acts.c.last_on,
              *[months.c[f"m{tier}"] for tier in KEPT_TIERS])
    return (
        select(base.c[0].label("person_id"), literal(year.start_year).label("start_year"),
               *[value.label(name) for name, value in zip(FIGURES, values)])
        .select_from(base)
        .outerjoin(acts, acts.c.owner_id == base.c[0])
        .outerjoin(behaviours, behaviours.c.owner_id == base.c[0])
        .outerjoin(months, months.c.owner_id == base.c[0])
        .where(base.c[0].is_not(None))  # SQLite reads ON CONFLICT after a bare join as the join's ON
    )


def _upsert(session: Session, rows: Select):
    table = PersonYearFigures.__table__
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = insert.from_select(["person_id", "start_year", *FIGURES], rows)
    return statement.on_conflict_do_update(index_elements=["person_id", "start_year"],
                                           set_={name: statement.excluded[name] for name in FIGURES})


def _inputs(session: Session, year: AppraisalYear):
    return framework_id_in_force(year.start_year, session), compliance.load_rules(year, session)


# SQLAlchemy keeps no compiled form of an INSERT … SELECT … ON CONFLICT (it has no cache key), and
# compiling this one costs far more than running it: one person's upsert is kept here as text per
# year, framework and rules (the only inputs besides the person), compiled once.
_ONE_PERSON: dict[tuple, TextClause] = {}


def _one_person_upsert(session: Session, year: AppraisalYear, framework_id: int | None, rules) -> TextClause:
    dialect = session.get_bind().dialect
    key = (dialect.name, year.start_year, year.start_month, framework_id, tuple(sorted(rules.items())))
    if key not in _ONE_PERSON:
        if len(_ONE_PERSON) > 64:
            _ONE_PERSON.clear()
        statement = _upsert(session, figures_select(select(literal_column(":person_id").label("id")), year, framework_id, rules))
        _ONE_PERSON[key] = text(str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
    return _ONE_PERSON[key]


def refresh(person_id: int, day: date, session: Session | None = None) -> None:
    """Recompute one person's figures for the year containing `day`: one grouped upsert."""
    from tracker.extensions import db

    session = session or db.session
    year = year_of(day)
    framework_id, rules = _inputs(session, year)
    counted.lock_person(session, person_id, year.start_year)  # computed after any other change to them has committed
    session.connection().execute(_one_person_upsert(session, year, framework_id, rules), {"person_id": int(person_id)},
                                 execution_options={_PREPARED: True})
    kept_lines.refresh(session, person_id, year, framework_id, {_PREPARED: True})
    counted.recount_person(person_id, year, session, rules=rules, locked=True)


# Planning that upsert costs PostgreSQL several times what running it does: psycopg prepares it on
# the server at its first run on a connection (not only after five, its default), and every later
# save on that connection skips the planning. SQLite plans it in microseconds: nothing to do there.
_PREPARED = "figures_prepared"


@event.listens_for(Engine, "do_execute")
def _execute_prepared(cursor, statement, parameters, context):
    if context.execution_options.get(_PREPARED) and context.dialect.driver == "psycopg":
        cursor.execute(statement, parameters, prepare=True)
        return True
    return None


def refresh_person(person_id: int) -> None:
    """Recompute every year kept for one person (their activities went in bulk: erasure)."""
    from tracker.extensions import db

    for start_year in list(db.session.scalars(select(PersonYearFigures.start_year)
                                              .where(PersonYearFigures.person_id == person_id))):
        refresh(person_id, AppraisalYear(start_year, _start_month()).starts_on)


def rebuild_year(year: AppraisalYear, session: Session | None = None, counted_too: bool = True,
                 lines_too: bool = True) -> int:
    """Recompute every person's figures and evidenced lines for `year` from the activities: a
    DELETE and an INSERT … SELECT each over everyone with an activity counted in it, and drop the
    year's counted rows (migration 0033 runs before those tables exist: counted_too=False,
    lines_too=False). Returns the rows kept."""
    from tracker.extensions import db

    session = session or db.session
    framework_id, rules = _inputs(session, year)
    owners = (select(Activity.owner_id).where(live_in_year(year), Activity.status != ActivityStatus.DRAFT)
              .distinct())
    connection = session.connection()
    connection.execute(delete(PersonYearFigures).where(PersonYearFigures.start_year == year.start_year))
    with _hash_joins(connection):
        connection.execute(_upsert(session, figures_select(owners, year, framework_id, rules)))
        if lines_too:
            kept_lines.rebuild_year(connection, year, framework_id, owners)
    connection.execute(delete(FiguresRebuild).where(FiguresRebuild.start_year == year.start_year))
    if counted_too:
        counted.forget_year(year.start_year, session)  # counted again from these figures at the next read
    forget_marks()
    return connection.scalar(select(func.count()).where(PersonYearFigures.start_year == year.start_year))


@contextmanager
def _hash_joins(connection):
    """A whole year's rebuild reads every activity of the year: on PostgreSQL it runs with nested
    loops off, whatever the statistics say. With none, or stale ones (a bulk load, a restore, a
    table grown since its last ANALYZE), the planner took the tables for a few rows and nested
    loops over them ran for minutes, even on a few hundred people; hash joins are never that wrong
    for a statement that reads everything. Set for this statement only (restored after)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    before = connection.scalar(text("SELECT current_setting('enable_nestloop')"))
    connection.execute(text("SELECT set_config('enable_nestloop', 'off', true)"))
    try:
        yield
    finally:
        connection.execute(text("SELECT set_config('enable_nestloop', :before, true)"), {"before": before})


def years_with_activities(session: Session | None = None, start_month: int | None = None) -> list[AppraisalYear]:
    """Every appraisal year from the earliest live activity's to the latest's."""
    from tracker.extensions import db

    session = session or db.session
    first, last = session.execute(select(func.min(Activity.occurred_on), func.max(Activity.occurred_on))
                                  .where(Activity.deleted_at.is_(None))).one()
    if first is None:
        return []
    if isinstance(first, str):  # a raw connection on SQLite hands back ISO text
        first, last = date.fromisoformat(first), date.fromisoformat(last)
    start, end = year_of(first, start_month), year_of(last, start_month)
    return [AppraisalYear(y, start.start_month) for y in range(start.start_year, end.start_year + 1)]


def rebuild_all(session: Session | None = None, start_month: int | None = None, counted_too: bool = True,
                lines_too: bool = True) -> int:
    """Every year's figures from the activities (after a bulk load or migration)."""
    from tracker.extensions import db

    session = session or db.session
    session.connection().execute(delete(PersonYearFigures))
    if lines_too:
        session.connection().execute(delete(PersonYearLine))
    if counted_too:
        counted.forget_year(None, session)
    return sum(rebuild_year(year, session, counted_too, lines_too) for year in years_with_activities(session, start_month))


# --- rule and framework changes ---------------------------------------------------------


def rebuild_later(start_years, session: Session | None = None) -> None:
    """Mark years whose figures a rule or framework change may have changed: readers compute them
    from the activities until `flask figures rebuild` or the worker's task clears the mark."""
    from tracker.extensions import db

    session = session or db.session
    known = set(session.scalars(select(FiguresRebuild.start_year)))
    for start_year in sorted(set(start_years) - known):
        session.add(FiguresRebuild(start_year=start_year))
    session.flush()
    forget_marks()


def years_from(start_year: int, session: Session | None = None) -> list[int]:
    """The years kept from `start_year` on (a rule or framework applies from its year on; a row
    earlier than every other applies to the years before it too, so the caller passes 0 then)."""
    from tracker.extensions import db

    session = session or db.session
    kept = set(session.scalars(select(PersonYearFigures.start_year).distinct()))
    # A counted year's statuses follow the rules even when nobody has figures kept in it yet.
    kept |= set(session.scalars(select(CountedYear.start_year)))
    return sorted(year for year in kept if year >= start_year)


def marked_years() -> list[int]:
    from tracker.extensions import db

    return list(db.session.scalars(select(FiguresRebuild.start_year).order_by(FiguresRebuild.start_year)))


# --- kept in the transaction of every ORM change to an activity ---------------------------


def _note_changed_activities(session: Session, flush_context, instances) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for activity in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(activity, Activity):
            continue
        state = attributes.instance_state(activity)
        if activity in session.dirty and not any(state.attrs[name].history.has_changes()
                                                 for name in _READ_BY_THE_RULE):
            continue
        owners = {activity.owner_id, *state.attrs.owner_id.history.deleted}
        days = {activity.occurred_on, *state.attrs.occurred_on.history.deleted}
        touched.update((owner, day) for owner in owners for day in days
                       if owner is not None and isinstance(day, date))


def _refresh_touched(session: Session, flush_context) -> None:
    touched = session.info.pop(_TOUCHED, set())
    done = set()
    for owner, day in touched:
        key = (owner, year_of(day).start_year)
        if key not in done:
            done.add(key)
            refresh(owner, day, session)


def keep_up_to_date(session_class) -> None:
    """Register the hooks once on the application's session class."""
    if not event.contains(session_class, "before_flush", _note_changed_activities):
        event.listen(session_class, "before_flush", _note_changed_activities)
        event.listen(session_class, "after_flush", _refresh_touched)
