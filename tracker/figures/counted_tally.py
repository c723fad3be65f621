"""How many counted people share each team, staff group, tier and month of a year, kept as
counters (CountedTally) beside the counted rows, so the whole organisation's report adds up a few
thousand counters instead of grouping a row per person.

How the counters follow the counted rows (tracker.figures.counted):
- Whoever rewrites a person's counted row passes the old and the new row here (the statements'
  RETURNING); the changes add up in the session as deltas, per counter.
- The deltas are written once per transaction, just before it commits, in one statement, counters
  in key order. Two transactions then never take two counters' row locks in opposite orders
  (PostgreSQL would break such a deadlock by failing one of them), and a counter is locked only for
  the moment of the commit, not for the rest of a save.
- Counting a whole year, or forgetting it, writes its counters from the rows themselves and drops
  the year's deltas still waiting: the rows already hold what they described.
- Each team whose counters change is tallied again, with its place among the lowest teams (tracker.figures.team_tally),
  in the same transaction, right after its counters are written.
- A rollback drops the deltas with the changes they described. Inside a savepoint (which the
  application never uses around a recount) they are written at once, so a rolled-back savepoint
  takes them with it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from sqlalchemy import delete, func, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from tracker.batching import batches
from tracker.figures import team_tally
from tracker.figures.team_tally import TEAMS
from tracker.models import CountedPerson, CountedTally

STRIPES = 8  # organisation-wide counters per key; a person always lands in stripe person_id % STRIPES
STAFF_GROUPS, TIERS, MONTHS = 1, 2, 3  # the parts after TEAMS (0)
NO_MONTH = -1

# What a recount's RETURNING gives, in this order.
RETURNED = ("start_year", "person_id", "team_id", "staff_group", "tier", "status", "exempt", "complete_month")
_KEY = ("start_year", "part", "stripe", "number", "staff_group", "status", "exempt")
_PENDING = "counted_tally_deltas"
# An import recounting thousands of people changes thousands of counters: 8 parameters a row, kept
# under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
_ROWS_PER_STATEMENT = 1_000


def keys_of(start_year, person_id, team_id, staff_group, tier, status, exempt, complete_month):
    """The four counters one counted row adds one to."""
    stripe = person_id % STRIPES
    month = NO_MONTH if complete_month is None else complete_month
    return ((start_year, TEAMS, 0, team_id, "", status, 0),
            (start_year, STAFF_GROUPS, stripe, 0, staff_group, status, 0),
            (start_year, TIERS, stripe, tier, "", status, 0),
            (start_year, MONTHS, stripe, month, "", "", int(exempt)))


def note(session: Session, before: Iterable, after: Iterable) -> None:
    """Counted rows replaced (`before`) and written (`after`), each as RETURNED: their counters
    change by the difference when the transaction commits."""
    deltas = session.info.setdefault(_PENDING, Counter())
    for row in before:
        for key in keys_of(*row):
            deltas[key] -= 1
    for row in after:
        for key in keys_of(*row):
            deltas[key] += 1
    session = session() if isinstance(session, scoped_session) else session
    if session.in_nested_transaction():
        settle(session)


def drop_year(session: Session, start_year: int | None) -> None:
    """Forget the deltas of `start_year` (every year's when None) still waiting to be written."""
    deltas = session.info.get(_PENDING)
    if deltas:
        for key in [k for k in deltas if start_year is None or k[0] == start_year]:
            del deltas[key]


def settle(session: Session) -> None:
    """Write the waiting deltas now: one upsert, counters in key order."""
    deltas = session.info.pop(_PENDING, None)
    rows = [dict(zip(_KEY, key), n=n) for key, n in sorted(deltas.items()) if n] if deltas else []
    if not rows:
        return
    connection = session.connection()
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(CountedTally)
    for chunk in batches(rows, _ROWS_PER_STATEMENT):  # in key order still, chunk after chunk
        statement = insert.values(chunk)
        statement = statement.on_conflict_do_update(index_elements=list(_KEY),
                                                    set_={"n": CountedTally.n + statement.excluded.n})
        connection.execute(statement)
    teams_changed = defaultdict(set)
    for row in rows:
        if row["part"] == TEAMS:
            teams_changed[row["start_year"]].add(row["number"])
    for start_year in sorted(teams_changed):
        team_tally.refresh(connection, start_year, teams_changed[start_year])


def count_from_rows(session: Session, start_year: int) -> None:
    """Write `start_year`'s counters afresh from its counted rows (after counting the whole year)."""
    drop_year(session, start_year)
    connection = session.connection()
    connection.execute(delete(CountedTally).where(CountedTally.start_year == start_year))
    p = CountedPerson
    stripe = p.person_id % STRIPES
    month = func.coalesce(p.complete_month, NO_MONTH)  # one expression: PostgreSQL matches GROUP BY by its parameters
    where = p.start_year == start_year
    parts = [
        select(p.start_year, literal(TEAMS), literal(0), p.team_id, literal(""), p.status, literal(0), func.count())
        .where(where).group_by(p.start_year, p.team_id, p.status),
        select(p.start_year, literal(STAFF_GROUPS), stripe, literal(0), p.staff_group, p.status, literal(0),
               func.count()).where(where).group_by(p.start_year, stripe, p.staff_group, p.status),
        select(p.start_year, literal(TIERS), stripe, p.tier, literal(""), p.status, literal(0), func.count())
        .where(where).group_by(p.start_year, stripe, p.tier, p.status),
        select(p.start_year, literal(MONTHS), stripe, month, literal(""), literal(""), p.exempt, func.count())
        .where(where).group_by(p.start_year, stripe, month, p.exempt),
    ]
    connection.execute(CountedTally.__table__.insert().from_select([*_KEY, "n"], union_all(*parts)))
    team_tally.tally_year(connection, start_year)


def forget(session: Session, start_year: int | None = None) -> None:
    """Drop a year's counters (every year's when None), with its deltas still waiting."""
    drop_year(session, start_year)
    statement = delete(CountedTally)
    if start_year is not None:
        statement = statement.where(CountedTally.start_year == start_year)
    session.connection().execute(statement)
    team_tally.forget(session.connection(), start_year)


# --- written just before every commit ----------------------------------------------------------


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook, and may recount someone
    settle(session)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed (written above) or rolled back: nothing waits
        session.info.pop(_PENDING, None)


def keep_up_to_date(session_class) -> None:
    """Register the hooks once on the application's session class."""
    from sqlalchemy import event

    if not event.contains(session_class, "before_commit", _before_commit):
        event.listen(session_class, "before_commit", _before_commit)
        event.listen(session_class, "after_transaction_end", _transaction_ended)
