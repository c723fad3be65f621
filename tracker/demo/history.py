"""The demo organisation's history, so closed years have something to keep: people who joined
during the demo years, moved team, changed tier or staff group, or left; a team renamed and a
team moved to another directorate.

Drawn from a generator of its own (seeded from the demo's), so the rest of the demo stays the
same draw for draw whatever is decided here.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.appraisal_year import AppraisalYear
from tracker.models import SINCE_EVER, StaffGroup
from tracker.organisation import closure_rows

from .organisation import Organisation
from .trust import DEMO_ACCOUNTS

MOVERS = 0.02
TIER_CHANGES = 0.015
STUDENTS_QUALIFIED = 0.004


@dataclass
class History:
    person_periods: list[dict] = field(default_factory=list)
    unit_periods: list[dict] = field(default_factory=list)
    closure: list[dict] = field(default_factory=list)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def build_history(rng: random.Random, organisation: Organisation, years: list[AppraisalYear],
                  today: date) -> History:
    rng = random.Random(hash(rng.getstate()))
    history = History()
    first_day, yesterday = years[0].starts_on, today - timedelta(days=1)
    with_roles = {row["person_id"] for row in organisation.roles}
    named = {email for email, _ in DEMO_ACCOUNTS}
    member_of = {m.id: m for m in organisation.members}
    ordinary = [row for row in organisation.people
                if row["id"] not in with_roles and row["email"] not in named and row["active"]]
    teams = [team["id"] for team in organisation.teams if not team["office"]]

    changes: dict[int, list[tuple[date, dict]]] = {}  # person id -> (day, what held before it)
    for row in rng.sample(ordinary, round(len(ordinary) * MOVERS)):
        others = [t for t in teams if t != row["team_id"]]
        if others:
            changes.setdefault(row["id"], []).append((_day_between(rng, first_day, yesterday),
                                                      {"team_id": rng.choice(others)}))
    for row in rng.sample(ordinary, round(len(ordinary) * TIER_CHANGES)):
        before = 2 if row["tier"] != 2 else rng.choice([1, 3])
        changes.setdefault(row["id"], []).append((_day_between(rng, first_day, yesterday), {"tier": before}))
    nurses = [row for row in ordinary if row["staff_group"] == StaffGroup.NURSING_MIDWIFERY]
    for row in rng.sample(nurses, min(len(nurses), max(1, round(len(ordinary) * STUDENTS_QUALIFIED)))):
        changes.setdefault(row["id"], []).append(
            (_day_between(rng, first_day, yesterday), {"staff_group": StaffGroup.STUDENTS, "tier": 1}))

    for row in organisation.people:
        member = member_of.get(row["id"])
        starts_on = SINCE_EVER
        if member is not None and member.new_starter_year is not None:
            year = member.new_starter_year
            starts_on = _day_between(rng, year.starts_on, min(year.ends_on, today))
        if row["active"]:
            ends_on = None
        else:  # a leaver: in post until some day of the demo years
            ends_on = _day_between(rng, first_day + timedelta(days=60), yesterday)
            starts_on = min(starts_on, ends_on)
        state = {"team_id": row["team_id"], "tier": row["tier"], "staff_group": row["staff_group"],
                 "line_manager_id": row["line_manager_id"]}
        # Walk back from today: before each change (latest first) the person had the values it names.
        backwards, end = [], ends_on
        for day, before in sorted(changes.get(row["id"], []), key=lambda change: change[0], reverse=True):
            if starts_on < day and (end is None or day <= end):
                backwards.append({"person_id": row["id"], "starts_on": day, "ends_on": end, **state})
                end = day - timedelta(days=1)
                state = {**state, **before}
        backwards.append({"person_id": row["id"], "starts_on": starts_on, "ends_on": end, **state})
        history.person_periods.extend(reversed(backwards))

    accounts_teams = {row["team_id"] for row in organisation.people if row["email"] in named}
    _unit_history(rng, organisation, years, history, keep=accounts_teams)
    return history


def _unit_history(rng: random.Random, organisation: Organisation, years: list[AppraisalYear],
                  history: History, keep: set[int]) -> None:
    """Every unit as it is today since SINCE_EVER, except one team renamed at the start of the
    current year and one moved to another directorate at the start of the year before."""
    by_id = {u["id"]: u for u in organisation.units}
    periods = {u["id"]: [{"unit_id": u["id"], "starts_on": SINCE_EVER, "ends_on": None, "name": u["name"],
                          "parent_id": u["parent_id"]}] for u in organisation.units}
    closure = closure_rows(organisation.parent_of)
    # The demo accounts' teams keep their names and places, so the story the README tells holds.
    teams = [team["id"] for team in organisation.teams if not team["office"] and team["id"] not in keep]
    directorates = organisation.directorate_ids
    if len(years) >= 2 and len(teams) >= 2 and len(directorates) >= 2:
        renamed, moved = rng.sample(teams, 2)
        on = years[-1].starts_on
        now = periods[renamed][0]
        periods[renamed] = [{**now, "ends_on": on - timedelta(days=1), "name": f"{now['name']} Annexe"},
                            {**now, "starts_on": on}]
        on = years[-2].starts_on
        now = periods[moved][0]
        old_parent = rng.choice([d for d in directorates if d != now["parent_id"]])
        periods[moved] = [{**now, "ends_on": on - timedelta(days=1), "parent_id": old_parent},
                          {**now, "starts_on": on}]
        for row in closure:
            if row["descendant_id"] == moved and row["ancestor_id"] != moved:
                row["starts_on"] = on
        depth, node = 1, old_parent
        while node is not None:
            closure.append({"ancestor_id": node, "descendant_id": moved, "depth": depth, "starts_on": SINCE_EVER,
                            "ends_on": on - timedelta(days=1)})
            node, depth = by_id[node]["parent_id"], depth + 1
    for row in closure:
        row.setdefault("ends_on", None)
    history.unit_periods = [p for unit in periods.values() for p in unit]
    history.closure = closure
