"""The annual rule's figures counted by hand: an oracle for the SQL.

`progress_query()` counts in SQL, and both the per-person answer (My year) and the dashboards
read it, so holding those two equal cannot catch a mistake in the counting itself. Here the rows
are fetched plainly (activities with their type, behaviours with their subject, exemptions) and
every figure is counted in Python from the rule as the product states it (a draft counts for
nothing: it is its author's alone):
a signed-off, experiential, not deleted activity dated in the year counts; its minutes add up;
its behaviours count once each (once per line across framework versions, and only those of the
year's version); a behaviour of a leadership subject meets the leadership need.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Counts, Progress, Rule, decide_status
from tracker.extensions import db
from tracker.framework_years import framework_id_of
from tracker.models import (Activity, ActivityStatus, ActivityType, Behaviour, Exemption, PersonPeriod, Subject,
                            UnitPeriod, activity_behaviour)

SIGNED_OFF = ActivityStatus.SIGNED_OFF
SUBMITTED = ActivityStatus.SUBMITTED
DRAFT = ActivityStatus.DRAFT


def _count(activities, behaviours_of) -> Counts:
    shown = set().union(*(behaviours_of[a.id] for a in activities)) if activities else set()
    return Counts(activities=len(activities), minutes=sum(a.duration_minutes for a in activities),
                  behaviours=len(shown), leadership=any(is_leadership for _, is_leadership in shown))


def in_post_by_hand(day: date) -> dict[int, tuple[int, int, str]]:
    """person id -> (team id, tier, staff group) of everyone in post on `day`, read from the
    person periods plainly (not through tracker.roster, whose SQL is under test)."""
    return {person_id: (team_id, tier, staff_group)
            for person_id, starts_on, ends_on, team_id, tier, staff_group in db.session.execute(
                select(PersonPeriod.person_id, PersonPeriod.starts_on, PersonPeriod.ends_on, PersonPeriod.team_id,
                       PersonPeriod.tier, PersonPeriod.staff_group))
            if starts_on <= day and (ends_on is None or day <= ends_on)}


def units_under_by_hand(unit_id: int, day: date) -> set[int]:
    """`unit_id` and every unit beneath it on `day`, walked down the unit periods' parents."""
    children = defaultdict(set)
    for child, parent, starts_on, ends_on in db.session.execute(
            select(UnitPeriod.unit_id, UnitPeriod.parent_id, UnitPeriod.starts_on, UnitPeriod.ends_on)):
        if starts_on <= day and (ends_on is None or day <= ends_on):
            children[parent].add(child)
    found, todo = set(), [unit_id]
    while todo:
        unit = todo.pop()
        found.add(unit)
        todo.extend(children[unit] - found)
    return found


def progress_by_hand(year: AppraisalYear, today: date, rules: dict[int, Rule],
                     tiers: dict[int, int] | None = None) -> dict[int, Progress]:
    """The figures and status for `year` of everyone in post on its reference day (with the tier
    they had then), or of the people of `tiers` (person id -> tier), counted in Python from the rows."""
    judged_on = min(today, year.ends_on)
    if tiers is None:
        tiers = {person_id: tier for person_id, (_, tier, _) in in_post_by_hand(judged_on).items()}
    people = sorted(tiers.items())
    activities = db.session.execute(
        select(Activity.id, Activity.owner_id, Activity.occurred_on, Activity.deleted_at, Activity.status,
               Activity.duration_minutes, ActivityType.experiential)
        .join(ActivityType, ActivityType.id == Activity.type_id)
    ).all()
    # A year counts behaviours as its framework version has them: once per line (a behaviour and
    # its versions), only lines that version holds, "leadership" as that version's subject says.
    year_framework = framework_id_of(year)
    lines_in_year = {lineage_id: bool(is_leadership) for lineage_id, is_leadership in db.session.execute(
        select(Behaviour.lineage_id, Subject.is_leadership).join(Subject, Subject.id == Behaviour.subject_id)
        .where(Behaviour.framework_id == year_framework))}
    behaviours_of = defaultdict(set)
    for activity_id, lineage_id in db.session.execute(
        select(activity_behaviour.c.activity_id, Behaviour.lineage_id)
        .join(Behaviour, Behaviour.id == activity_behaviour.c.behaviour_id)
    ):
        if lineage_id in lines_in_year:
            behaviours_of[activity_id].add((lineage_id, lines_in_year[lineage_id]))
    # An exemption counts on today while the year runs, on its last day once it has ended; one
    # without an end (open-ended) from its start onwards.
    exempt = {person_id for person_id, starts_on, ends_on in db.session.execute(
        select(Exemption.person_id, Exemption.starts_on, Exemption.ends_on))
        if starts_on <= judged_on and (ends_on is None or judged_on <= ends_on)}

    in_year = defaultdict(list)
    for activity in activities:
        if activity.deleted_at is None and year.starts_on <= activity.occurred_on <= year.ends_on:
            in_year[activity.owner_id].append(activity)

    result = {}
    for person_id, tier in people:
        mine = in_year[person_id]
        signed = [a for a in mine if a.experiential and a.status == SIGNED_OFF]
        with_pending = [a for a in mine if a.experiential and a.status in (SIGNED_OFF, SUBMITTED)]
        progress = Progress(
            person_id=person_id, tier=tier, logged=sum(1 for a in mine if a.status != DRAFT),
            signed_off=_count(signed, behaviours_of), with_pending=_count(with_pending, behaviours_of),
            pending_activities=sum(1 for a in mine if a.status == SUBMITTED),
            exempt=person_id in exempt, year_ended=today > year.ends_on,
        )
        result[person_id] = Progress(**{**progress.__dict__, "status": decide_status(progress, rules[tier])})
    return result
