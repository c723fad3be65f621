"""Each team's counted people by status, and its place among the organisation report's lowest
teams (TeamTally), kept from the team counters (tracker.figures.counted_tally) in the same
transaction, right after they are written.

The report lists the teams lowest by percent complete, then by name, and sums the teams beneath
each unit it shows. Both read every team's counters while they are kept one per team and status:
ranking them cost 2.4 ms at 20,000 staff and 13.5 ms at 100,000 on SQLite, and summing them beneath
the organisation's units 11 ms at 100,000 on PostgreSQL. Kept here as one row per team, the list
reads the first few places of an index, and a unit adds up one row per team. Names stay out of the
place (a rename would move it): the report orders the few teams of equal place by name.

A team's row changes only when its counters do, so the counters' writer says which teams it
changed. On PostgreSQL that writer has already taken those counters' row locks, in key order, so
two transactions that change one team's row never both get here before one of them commits.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.batching import batches
from tracker.compliance import percent_tenths_sql
from tracker.models import CountedTally, TeamTally
from tracker.models.kept import COUNTED_STATUSES

TEAMS = 0  # the part of the counters that counts by team and status
# Teams with nobody expected (everyone exempt) come after every percent (at most 1,000 tenths).
NOBODY_EXPECTED = 10_000
COLUMNS = ("start_year", "team_id", *COUNTED_STATUSES, "place")
_TEAMS_PER_STATEMENT = 1_000


def team_counters(start_year: int):
    """A year's team counters (never striped: the stripe in the condition lets the key's index serve)."""
    t = CountedTally
    return (t.start_year == start_year, t.part == TEAMS, t.stripe == 0)


def tallies(start_year: int, team_ids: list[int] | None = None):
    """SQL: each team with people counted in the year (of `team_ids` when given), from its
    counters, as COLUMNS, in team order."""
    t = CountedTally
    by_status = {status: func.sum(case((t.status == status, t.n), else_=0)) for status in COUNTED_STATUSES}
    people = func.sum(t.n)
    expected = people - by_status["exempt"]
    place = case((expected <= 0, NOBODY_EXPECTED), else_=percent_tenths_sql(by_status["complete"], expected))
    where = team_counters(start_year)
    if team_ids is not None:
        where += (t.number.in_(team_ids),)
    return (select(t.start_year, t.number, *by_status.values(), place).where(*where)
            .group_by(t.start_year, t.number).having(people != 0).order_by(t.number))


def refresh(connection: Connection, start_year: int, team_ids: Iterable[int]) -> None:
    """Tally these teams again from their counters, which the caller has just written."""
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(TeamTally)
    for chunk in batches(sorted(set(team_ids)), _TEAMS_PER_STATEMENT):
        statement = insert.from_select(COLUMNS, tallies(start_year, chunk))
        connection.execute(statement.on_conflict_do_update(
            index_elements=["start_year", "team_id"],
            set_={name: statement.excluded[name] for name in COLUMNS[2:]}))
        # A team whose last person has gone is no longer tallied.
        t = CountedTally
        still_counted = select(t.number).where(*team_counters(start_year), t.number.in_(chunk), t.n != 0)
        connection.execute(delete(TeamTally).where(TeamTally.start_year == start_year, TeamTally.team_id.in_(chunk),
                                                   TeamTally.team_id.not_in(still_counted)))


def tally_year(connection: Connection, start_year: int) -> None:
    """Tally every team of `start_year` afresh (after its counters were written from the rows)."""
    forget(connection, start_year)
    connection.execute(TeamTally.__table__.insert().from_select(COLUMNS, tallies(start_year)))


def forget(connection: Connection, start_year: int | None) -> None:
    statement = delete(TeamTally)
    if start_year is not None:
        statement = statement.where(TeamTally.start_year == start_year)
    connection.execute(statement)
