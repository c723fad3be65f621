"""The annual rule's figures counted by hand: an oracle for the SQL.

`progress_query()` counts in SQL, and both the per-person answer (My year) and the dashboards
read it, so holding those two equal cannot catch a mistake in the counting itself. Here the rows
are fetched plainly (activities with their type, behaviours with their subject, exemptions) and
every figure is counted in Python from the rule as the product states it:
a signed-off, experiential, not deleted activity dated in the year counts; its minutes add up;
its behaviours count once each; a behaviour of a leadership subject meets the leadership need.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Counts, Progress, Rule, decide_status
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, ActivityType, Behaviour, Exemption, Person, Subject, activity_behaviour

SIGNED_OFF = ActivityStatus.SIGNED_OFF
SUBMITTED = ActivityStatus.SUBMITTED


def _count(activities, behaviours_of) -> Counts:
    shown = set().union(*(behaviours_of[a.id] for a in activities)) if activities else set()
    return Counts(activities=len(activities), minutes=sum(a.duration_minutes for a in activities),
                  behaviours=len(shown), leadership=any(is_leadership for _, is_leadership in shown))


def progress_by_hand(year: AppraisalYear, today: date, rules: dict[int, Rule]) -> dict[int, Progress]:
    """Every person's figures and status for `year`, counted in Python from the rows."""
    people = db.session.execute(select(Person.id, Person.tier)).all()
    activities = db.session.execute(
        select(Activity.id, Activity.owner_id, Activity.occurred_on, Activity.deleted_at, Activity.status,
               Activity.duration_minutes, ActivityType.experiential)
        .join(ActivityType, ActivityType.id == Activity.type_id)
    ).all()
    behaviours_of = defaultdict(set)
    for activity_id, behaviour_id, is_leadership in db.session.execute(
        select(activity_behaviour.c.activity_id, activity_behaviour.c.behaviour_id, Subject.is_leadership)
        .join(Behaviour, Behaviour.id == activity_behaviour.c.behaviour_id)
        .join(Subject, Subject.id == Behaviour.subject_id)
    ):
        behaviours_of[activity_id].add((behaviour_id, bool(is_leadership)))
    # An exemption counts on today while the year runs, on its last day once it has ended.
    judged_on = min(today, year.ends_on)
    exempt = {person_id for person_id, starts_on, ends_on in db.session.execute(
        select(Exemption.person_id, Exemption.starts_on, Exemption.ends_on)) if starts_on <= judged_on <= ends_on}

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
            person_id=person_id, tier=tier, logged=len(mine),
            signed_off=_count(signed, behaviours_of), with_pending=_count(with_pending, behaviours_of),
            pending_activities=sum(1 for a in mine if a.status == SUBMITTED),
            exempt=person_id in exempt, year_ended=today > year.ends_on,
        )
        result[person_id] = Progress(**{**progress.__dict__, "status": decide_status(progress, rules[tier])})
    return result
