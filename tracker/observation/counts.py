"""Observed practice as a figure: counts only, never the observers' words (which stay on the
activity for its author and decider, and out of every organisation report and export)."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from tracker.appraisal_year import AppraisalYear
from tracker.counting import counted_in_year
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus


def answered_observation():
    """SQL: an observer answered a request about the activity. Read from the activity, not its
    requests: erasure removes the feedback but keeps a closed year's activities, and this fact with
    them, so that year's count reads the same for ever."""
    return Activity.observed.is_(True)


def signed_off_observed(people: Select, year: AppraisalYear) -> int:
    """How many signed-off activities of the year's, by the `people` selection, carry an answered
    observation: one query however many people or activities."""
    people_ids = people.with_only_columns(people.selected_columns.id)
    return db.session.scalar(
        select(func.count(Activity.id))
        .where(Activity.owner_id.in_(people_ids), counted_in_year(year),
               Activity.status == ActivityStatus.SIGNED_OFF, answered_observation())) or 0
