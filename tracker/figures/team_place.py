"""Each team's place among the organisation report's lowest teams (TeamPlace), kept beside the team
counters (tracker.figures.counted_tally) and written in the same statements' transaction.

The report lists the teams lowest by percent complete, then by name. Ranking every team's counters
on each request grew with the organisation (2.4 ms at 20,000 staff, 13.5 ms at 100,000 on SQLite);
with each team's place kept in an index, the list reads its first few places. Names stay out of the
kept place (a rename would move it): the report orders the few teams of equal place by name.

A place changes only when a team's counters do, so the counters' writer tells this module which
teams it changed, after writing them. On PostgreSQL that writer has already taken the counters'
row locks, in key order, so two transactions that change one team's place never both get here.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.batching import batches
from tracker.compliance import Status, percent_tenths_sql
from tracker.models import CountedTally, TeamPlace

TEAMS = 0  # counted_tally.TEAMS: the part of the counters that counts by team and status
# Teams with nobody expected (everyone exempt) come after every percent (at most 1,000 tenths).
NOBODY_EXPECTED = 10_000
_TEAMS_PER_STATEMENT = 1_000


def team_counters(start_year: int):
    """A year's team counters (never striped: the stripe in the condition lets the key's index serve)."""
    t = CountedTally
    return (t.start_year == start_year, t.part == TEAMS, t.stripe == 0)


def places(start_year: int, team_ids: list[int] | None = None):
    """SQL: (start year, team, place) of each team with people counted in the year (of `team_ids`
    when given), from its counters, in team order."""
    t = CountedTally
    people = func.sum(t.n)
    complete = func.sum(case((t.status == Status.COMPLETE.value, t.n), else_=0))
    expected = people - func.sum(case((t.status == Status.EXEMPT.value, t.n), else_=0))
    place = case((expected <= 0, NOBODY_EXPECTED), else_=percent_tenths_sql(complete, expected))
    where = team_counters(start_year)
    if team_ids is not None:
        where += (t.number.in_(team_ids),)
    return (select(t.start_year, t.number, place).where(*where)
            .group_by(t.start_year, t.number).having(people != 0).order_by(t.number))


def refresh(connection: Connection, start_year: int, team_ids: Iterable[int]) -> None:
    """Place these teams again from their counters, which the caller has just written."""
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(TeamPlace)
    for chunk in batches(sorted(set(team_ids)), _TEAMS_PER_STATEMENT):
        statement = insert.from_select(["start_year", "team_id", "place"], places(start_year, chunk))
        connection.execute(statement.on_conflict_do_update(index_elements=["start_year", "team_id"],
                                                           set_={"place": statement.excluded.place}))
        # A team whose last person has gone is no longer listed.
        t = CountedTally
        still_counted = select(t.number).where(*team_counters(start_year), t.number.in_(chunk), t.n != 0)
        connection.execute(delete(TeamPlace).where(TeamPlace.start_year == start_year, TeamPlace.team_id.in_(chunk),
                                                   TeamPlace.team_id.not_in(still_counted)))


def place_year(connection: Connection, start_year: int) -> None:
    """Place every team of `start_year` afresh (after its counters were written from the rows)."""
    forget(connection, start_year)
    connection.execute(TeamPlace.__table__.insert().from_select(["start_year", "team_id", "place"],
                                                                places(start_year)))


def forget(connection: Connection, start_year: int | None) -> None:
    statement = delete(TeamPlace)
    if start_year is not None:
        statement = statement.where(TeamPlace.start_year == start_year)
    connection.execute(statement)
