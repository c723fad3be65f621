"""Every kept figure against the rule computed from the activities (`flask figures verify`, the
stateful test): the kept table can never be trusted more than this comparison."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, union

from tracker.appraisal_year import AppraisalYear
from tracker.batching import batches
from tracker.counting import live_in_year
from tracker.extensions import db
from tracker.figures import counted, counted_tally, kept_lines, team_tally, upkeep
from tracker.models import (Activity, ActivityStatus, CountedPerson, CountedTally, CountedYear, PersonYearFigures,
                            PersonYearLine, TeamTally)

ZERO = {name: 0 for name in upkeep.FIGURES} | {"last_activity_on": None} | {
    f"complete_month_{tier}": None for tier in upkeep.KEPT_TIERS}


@dataclass(frozen=True)
class Difference:
    person_id: int
    start_year: int
    figure: str
    kept: object
    computed: object


def _owners(year: AppraisalYear):
    return union(
        select(Activity.owner_id).where(live_in_year(year), Activity.status != ActivityStatus.DRAFT),
        select(PersonYearFigures.person_id).where(PersonYearFigures.start_year == year.start_year))


def count_people(year: AppraisalYear):
    """SQL: how many people `differences()` compares for the year."""
    return select(func.count()).select_from(_owners(year).subquery())


def differences(year: AppraisalYear, chunk: int = 5000, progress=None) -> list[Difference]:
    """Kept figures of `year` that differ from the figures computed afresh, person by person
    (a missing row reads as nothing counted). `progress(n)` is told of each chunk of people done."""
    owners = list(db.session.scalars(_owners(year)))
    framework_id, rules = upkeep._inputs(db.session, year)
    found = []
    for ids in batches(owners, chunk):
        ids = sorted(ids)
        computed = {row.person_id: row._mapping for row in db.session.execute(
            upkeep.figures_select(select(Activity.owner_id.distinct()).where(Activity.owner_id.in_(ids)).union(
                select(PersonYearFigures.person_id).where(PersonYearFigures.person_id.in_(ids))),
                year, framework_id, rules))}
        kept = {row.person_id: row for row in db.session.scalars(
            select(PersonYearFigures).where(PersonYearFigures.start_year == year.start_year,
                                            PersonYearFigures.person_id.in_(ids)))}
        for person_id in ids:
            row = computed.get(person_id, ZERO)
            for name in upkeep.FIGURES:
                have = getattr(kept[person_id], name) if person_id in kept else ZERO[name]
                if _plain(have) != _plain(row[name]):
                    found.append(Difference(person_id, year.start_year, name, have, row[name]))
        if progress:
            progress(len(ids))
    return found


def _plain(value):
    return str(value) if value is not None and not isinstance(value, int) else value


_COUNTED = ("team_id", "staff_group", "tier", "status", "exempt", "complete_month")


def counted_differences(year: AppraisalYear) -> list[Difference]:
    """Counted rows of `year` (tracker.figures.counted) that differ from those counted afresh on the
    same reference day; nothing when the year is not counted. With differences() above, every
    report figure read from the counted rows is checked against the rule."""
    day = db.session.scalar(select(CountedYear.reference_day).where(CountedYear.start_year == year.start_year))
    if day is None:
        return []
    fresh = {row[1]: dict(zip(_COUNTED, row[2:])) for row in db.session.execute(counted._rows(year, day))}
    kept = {row.person_id: row for row in db.session.scalars(
        select(CountedPerson).where(CountedPerson.start_year == year.start_year))}
    found = []
    for person_id in sorted(set(fresh) | set(kept)):
        for name in _COUNTED:
            have = _plain(getattr(kept[person_id], name)) if person_id in kept else None
            should = _plain(fresh[person_id][name]) if person_id in fresh else None
            if have != should:
                found.append(Difference(person_id, year.start_year, f"counted {name}", have, should))
    return found + tally_differences(year)


def tally_differences(year: AppraisalYear) -> list[Difference]:
    """Counters of `year` (tracker.figures.counted_tally) that differ from the counted rows
    (counted_differences above checks those rows). A counter belongs to nobody: person 0."""
    counted_tally.settle(db.session)
    fresh: Counter = Counter()
    for row in db.session.execute(select(*(CountedPerson.__table__.c[name] for name in counted_tally.RETURNED))
                                  .where(CountedPerson.start_year == year.start_year)):
        fresh.update(counted_tally.keys_of(*row))
    t = CountedTally
    kept = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(t.start_year, t.part, t.stripe, t.number, t.staff_group, t.status, t.exempt, t.n)
        .where(t.start_year == year.start_year, t.n != 0))}
    return [Difference(0, year.start_year, f"counter {key[1:]}", kept.get(key, 0), fresh.get(key, 0))
            for key in sorted(set(fresh) | set(kept)) if kept.get(key, 0) != fresh.get(key, 0)] + team_differences(year)


def team_differences(year: AppraisalYear) -> list[Difference]:
    """Teams of `year` whose kept row (tracker.figures.team_tally: people by status and place)
    differs from what their counters give (tally_differences above checks the counters); None
    where a team has no row."""
    columns = team_tally.COLUMNS[2:]
    fresh = {row[1]: row[2:] for row in db.session.execute(team_tally.tallies(year.start_year))}
    kept = {row[0]: row[1:] for row in db.session.execute(
        select(TeamTally.team_id, *(TeamTally.__table__.c[name] for name in columns))
        .where(TeamTally.start_year == year.start_year))}
    found = []
    for team_id in sorted(set(fresh) | set(kept)):
        have, should = kept.get(team_id, (None,) * len(columns)), fresh.get(team_id, (None,) * len(columns))
        found += [Difference(0, year.start_year, f"team {team_id} {name}", a, b)
                  for name, a, b in zip(columns, have, should) if a != b]
    return found


def line_differences(year: AppraisalYear) -> list[Difference]:
    """Kept evidenced lines of `year` (tracker.figures.kept_lines) that differ from those read
    afresh from the activities: a line kept but not evidenced, or evidenced but not kept."""
    framework_id, _ = upkeep._inputs(db.session, year)
    owners = select(Activity.owner_id).where(live_in_year(year)).distinct()
    fresh = {(row.person_id, row.line) for row in db.session.execute(
        kept_lines.lines_select(owners, year, framework_id))}
    kept = {(row.person_id, row.line) for row in db.session.execute(
        select(PersonYearLine.person_id, PersonYearLine.line).where(PersonYearLine.start_year == year.start_year))}
    return ([Difference(p, year.start_year, f"line {line}", "kept", "not evidenced") for p, line in sorted(kept - fresh)]
            + [Difference(p, year.start_year, f"line {line}", "not kept", "evidenced") for p, line in sorted(fresh - kept)])
