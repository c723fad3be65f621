"""Observed practice as a figure: counts only, never the observers' words (which stay on the
activity for its author and decider, and out of every organisation report and export)."""
from __future__ import annotations

from sqlalchemy import Select, any_, func, select

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
    if db.session.get_bind().dialect.name == "postgresql":
        # The people's ids gathered first, as one array: the plan then can only probe the partial
        # index that starts at the owner (ix_activity_observed_signed_off), person by person. As a
        # semi join, PostgreSQL on freshly loaded tables started from every observed activity of
        # the year and looked each owner up in the scope's teams: 0.57 s for a 2,196-person
        # directorate, against 7 ms now; analysed, 22 → 17 ms for 10,551 people.
        owned_by_them = Activity.owner_id == any_(func.array(people_ids.scalar_subquery()))
    else:
        owned_by_them = Activity.owner_id.in_(people_ids)
    return db.session.scalar(
        select(func.count(Activity.id))
        .where(owned_by_them, counted_in_year(year),
               Activity.status == ActivityStatus.SIGNED_OFF, answered_observation())) or 0
