"""Where each person is counted in a year's figures, kept, so a report groups rows instead of
deciding a status for everyone on every request.

`counted_person` holds, per year and person on the year's roster, the team, staff group and tier of
the reference day, the status decided over the kept figures (tracker.figures.upkeep) with that
day's exemptions and the year's rules, and the month of completion at the person's tier.

What keeps it right:
- A change to what decides a person's row recounts that person in every counted year, in the
  transaction of the change: their kept figures (upkeep.refresh), a person period (staff_history,
  the session hook below) or an exemption (the hook; erasure).
- The reference day of an open year moves with today. Only a person with a period or exemption
  starting or ending between the day counted and the new day can be counted differently, so
  `bring_up_to_date()` recounts just those and moves the year's day: nothing is recomputed nightly.
- Whether the year has ended (so "overdue") is not stored: rows hold the status of the year still
  running, and `overdue_once_ended()` reads all but complete and exempt as overdue after its end.
- A rule or framework change marks the year for a rebuild (upkeep); the rebuild drops the year's
  rows, and the next read counts it again. Readers never use a year marked for a rebuild.
On PostgreSQL a recount holds the year's lock shared and the person's lock (both until commit), so
two transactions never count the same person from different snapshots, and moving a year's day,
which takes the year's lock alone, never interleaves with a recount.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from sqlalchemy import TextClause, delete, literal, literal_column, or_, select, text, union
from sqlalchemy.orm import Session, attributes

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.batching import batches
from tracker.figures import counted_tally
from tracker.figures.kept_progress import kept_progress_query
from tracker.models import CountedPerson, CountedYear, Exemption, PersonPeriod
from tracker.roster import Roster, reference_day

# Above this many people to recount when a year's day moves, counting the whole year is cheaper.
RECOUNT_WHOLE_YEAR_ABOVE = 5_000
_CHUNK = 500  # ids per IN list
_YEARS, _PEOPLE = 7301, 7302  # advisory lock namespaces (PostgreSQL)
_TOUCHED = "counted_people_touched"


def _session(session: Session | None) -> Session:
    from tracker.extensions import db

    return session or db.session


def _rows(year: AppraisalYear, day: date, person_ids=None, person_id=None):
    """(start_year, person_id, team_id, staff_group, tier, status, exempt, complete_month) of
    everyone on the roster of `day` (or of `person_ids` among them, or `person_id`), from the kept figures."""
    people = Roster(day).people()
    if person_ids is not None:
        people = people.where(PersonPeriod.person_id.in_(person_ids))
    if person_id is not None:
        people = people.where(PersonPeriod.person_id == person_id)
    progress = kept_progress_query(people, year, day, with_completion_month=True).subquery("progress")
    # `day` is on or before the year's last day, so this is the status of a year still running.
    status = compliance.status_case(progress, compliance.load_rules(year), year, day)
    return select(literal(year.start_year), progress.c.person_id, progress.c.team_id, progress.c.staff_group,
                  progress.c.tier, status, progress.c.exempt, progress.c.complete_month)


_COLUMNS = ["start_year", "person_id", "team_id", "staff_group", "tier", "status", "exempt", "complete_month"]


def _insert(rows):
    return CountedPerson.__table__.insert().from_select(_COLUMNS, rows)


def _returned():
    return [CountedPerson.__table__.c[name] for name in counted_tally.RETURNED]


def _replace(session: Session, start_year: int, person_ids, insert, parameters=None, options=None) -> None:
    """Delete these people's counted rows of the year and run `insert` (which writes them again),
    telling the counters (tracker.figures.counted_tally) what went and what came."""
    connection = session.connection()
    who = (CountedPerson.person_id == person_ids if isinstance(person_ids, int)
           else CountedPerson.person_id.in_(person_ids))
    before = connection.execute(delete(CountedPerson).where(CountedPerson.start_year == start_year, who)
                                .returning(*_returned())).all()
    after = connection.execute(insert, parameters, execution_options=options or {}).all()
    counted_tally.note(session, before, after)


# One person's recount runs with every save: compiled once per year, day and rules (see upkeep's _ONE_PERSON).
_ONE_PERSON: dict[tuple, TextClause] = {}


def _one_person(session: Session, year: AppraisalYear, day: date, rules=None) -> TextClause:
    dialect = session.get_bind().dialect
    rules = rules or compliance.load_rules(year, session)
    key = (dialect.name, year.start_year, year.start_month, day, tuple(sorted(rules.items())))
    if key not in _ONE_PERSON:
        if len(_ONE_PERSON) > 64:
            _ONE_PERSON.clear()
        statement = _insert(_rows(year, day, person_id=literal_column(":person_id"))).returning(*_returned())
        _ONE_PERSON[key] = text(str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
    return _ONE_PERSON[key]


# --- locks (PostgreSQL; SQLite runs one writer at a time) -------------------------------------


def _lock_year(session: Session, start_year: int, shared: bool) -> None:
    if session.get_bind().dialect.name == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        session.connection().execute(text(f"SELECT {function}(:space, :year)"), {"space": _YEARS, "year": start_year})


def lock_person(session: Session, person_id: int, start_year: int | None = None) -> None:
    """Hold `person_id`'s lock until commit: their kept figures and counted rows are then computed
    from a snapshot taken after any other transaction changing them has committed. With
    `start_year`, that year's lock (shared) first: always year before person, so no two
    transactions wait for each other."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if start_year is None:
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:space, :person)"),
                                     {"space": _PEOPLE, "person": int(person_id)})
    else:  # one round trip; PostgreSQL evaluates the two calls left to right
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock_shared(:years, :year), pg_advisory_xact_lock(:space, :person)"),
            {"years": _YEARS, "year": start_year, "space": _PEOPLE, "person": int(person_id)})


# --- recounting -----------------------------------------------------------------------------


def _counted_years(session: Session) -> list[tuple[int, date]]:
    return list(session.execute(select(CountedYear.start_year, CountedYear.reference_day)).all())


def recount_person(person_id: int, year: AppraisalYear | None = None, session: Session | None = None,
                   rules=None, locked: bool = False) -> None:
    """Count `person_id` again in every counted year, or in `year` only (with its `rules` when the
    caller has them, and its locks when the caller holds them: the figures' upkeep, on every save)."""
    session = _session(session)
    from tracker.figures.upkeep import _PREPARED, _start_month  # prepared on the server, like the upkeep's own

    years = ([year.start_year] if year is not None
             else [start_year for start_year, _ in _counted_years(session)])
    for start_year in years:
        if not locked:
            lock_person(session, person_id, start_year)
        # Read once the locks are held: a year's day moves under its lock alone.
        day = session.scalar(select(CountedYear.reference_day).where(CountedYear.start_year == start_year))
        if day is None:  # not counted (or its rows went with a rebuild): counted whole at its next read
            continue
        each = year or AppraisalYear(start_year, _start_month())
        _replace(session, start_year, int(person_id), _one_person(session, each, day, rules if year else None),
                 {"person_id": int(person_id)}, {_PREPARED: True})


def recount_people(person_ids: Iterable[int], session: Session | None = None) -> None:
    """Count these people again in every counted year (many at once: the staff import, erasure)."""
    session = _session(session)
    ids = sorted({int(i) for i in person_ids})
    if len(ids) == 1:
        recount_person(ids[0], session=session)
        return
    from tracker.figures.upkeep import _start_month

    for start_year, _ in _counted_years(session):
        _lock_year(session, start_year, shared=True)
        for person_id in ids:
            lock_person(session, person_id)
        day = session.scalar(select(CountedYear.reference_day).where(CountedYear.start_year == start_year))
        if day is not None:
            _recount(session, AppraisalYear(start_year, _start_month()), day, ids)


def _recount(session: Session, year: AppraisalYear, day: date, ids: list[int]) -> None:
    for chunk in batches(ids, _CHUNK):
        _replace(session, year.start_year, chunk, _insert(_rows(year, day, chunk)).returning(*_returned()))


def count_year(year: AppraisalYear, day: date, session: Session | None = None) -> None:
    """Count everyone on the roster of `day` for `year`, from scratch (the caller holds the year's lock)."""
    session = _session(session)
    connection = session.connection()
    connection.execute(delete(CountedPerson).where(CountedPerson.start_year == year.start_year))
    connection.execute(delete(CountedYear).where(CountedYear.start_year == year.start_year))
    connection.execute(_insert(_rows(year, day)))
    connection.execute(CountedYear.__table__.insert().values(start_year=year.start_year, reference_day=day))
    counted_tally.count_from_rows(session, year.start_year)


def forget_year(start_year: int | None = None, session: Session | None = None) -> None:
    """Drop a year's counts (every year's when None): the next read counts it again."""
    session = _session(session)
    connection = session.connection()
    people, years = delete(CountedPerson), delete(CountedYear)
    if start_year is not None:
        people = people.where(CountedPerson.start_year == start_year)
        years = years.where(CountedYear.start_year == start_year)
    connection.execute(people)
    connection.execute(years)
    counted_tally.forget(session, start_year)


def _changed_between(earlier: date, later: date):
    """Ids of people whose period or exemption starts or ends between two days (either order):
    the only ones a roster or exemption of one day can count differently from the other."""
    low, high = min(earlier, later), max(earlier, later)

    def edges(model):
        return select(model.person_id).where(or_(model.starts_on.between(low, high),
                                                 model.ends_on.between(low - timedelta(days=1), high)))
    return union(edges(PersonPeriod), edges(Exemption))


def bring_up_to_date(year: AppraisalYear, today: date, session: Session | None = None) -> None:
    """Make `year`'s counted rows those of its reference day for `today`: count it when it never
    was, or recount the few people a moved day can change. The caller commits."""
    session = _session(session)
    day = reference_day(year, today)
    counted = session.scalar(select(CountedYear.reference_day).where(CountedYear.start_year == year.start_year))
    if counted == day:
        return
    _lock_year(session, year.start_year, shared=False)
    counted = session.scalar(select(CountedYear.reference_day).where(CountedYear.start_year == year.start_year))
    if counted == day:  # another request did it while we waited
        return
    if counted is None:
        count_year(year, day, session)
        return
    ids = sorted(session.scalars(_changed_between(counted, day)))
    if len(ids) > RECOUNT_WHOLE_YEAR_ABOVE:
        count_year(year, day, session)
        return
    _recount(session, year, day, ids)
    session.connection().execute(CountedYear.__table__.update()
                                 .where(CountedYear.start_year == year.start_year).values(reference_day=day))


# --- kept in the transaction of every ORM change to a period or exemption --------------------


def _note_changed(session: Session, flush_context, instances) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, (PersonPeriod, Exemption)):
            state = attributes.instance_state(row)
            touched.update(p for p in (row.person_id, *state.attrs.person_id.history.deleted) if p is not None)


def _recount_touched(session: Session, flush_context) -> None:
    touched = session.info.pop(_TOUCHED, set())
    if touched:
        recount_people(touched, session)


def keep_up_to_date(session_class) -> None:
    """Register the hooks once on the application's session class."""
    from sqlalchemy import event

    if not event.contains(session_class, "before_flush", _note_changed):
        event.listen(session_class, "before_flush", _note_changed)
        event.listen(session_class, "after_flush", _recount_touched)
