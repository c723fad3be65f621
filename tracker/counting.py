"""Which activities and exemptions count for a year: the one definition every query uses.

An activity counts in an appraisal year when it has not been deleted and its date falls in the
year; an exemption counts on a day when that day lies between its start and its end (or on any day
from its start, when it is open-ended). Every query in the application (the status rule,
dashboards, reports, exports, suggestions) builds on these, so a change to either rule is made
here once.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_

from tracker import appraisal_year
from tracker.appraisal_year import AppraisalYear
from tracker.models import Activity, ActivityStatus, Exemption, Person


def live_activity():
    """SQL: the activity has not been deleted (deleted activities are kept for the audit trail)."""
    return Activity.deleted_at.is_(None)


def live_between(starts_on: date, ends_on: date):
    """SQL: a live activity dated from `starts_on` to `ends_on`, both included."""
    return and_(live_activity(), Activity.occurred_on >= starts_on, Activity.occurred_on <= ends_on)


def live_in_year(year: AppraisalYear):
    """SQL: a live activity dated in the appraisal year (drafts included: the author's own pages)."""
    return live_between(year.starts_on, year.ends_on)


def out_of_drafts():
    """SQL: the activity is no longer a draft. A draft is its author's alone: no figure, list,
    queue or export for anyone else may show or count it."""
    return Activity.status != ActivityStatus.DRAFT


def counted_in_year(year: AppraisalYear):
    """SQL: a live activity dated in the year that others may see and count (not a draft)."""
    return and_(live_in_year(year), out_of_drafts())


def exemption_in_force(day: date):
    """SQL: the exemption covers `day` (an open-ended one covers every day from its start)."""
    return and_(Exemption.starts_on <= day, or_(Exemption.ends_on.is_(None), Exemption.ends_on >= day))


def exempt_on(day: date, person_id=Person.id):
    """SQL: the person (`person_id`, a column or value) has an exemption in force on `day`."""
    return exists().where(Exemption.person_id == person_id, exemption_in_force(day))


# --- what the author is told -------------------------------------------------------------
# A decision can be undone by its decider for a while (UNDO_DECISION_MINUTES); until that window
# has closed its author still sees the activity as submitted. Figures count a decision at once.


_DECIDED = (ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED)


def undo_window() -> timedelta:
    return timedelta(minutes=current_app.config["UNDO_DECISION_MINUTES"])


def decision_told(now: datetime | None = None):
    """SQL: the author may be told of the activity's decision (none, or its undo window has closed)."""
    now = now or appraisal_year.now()
    return or_(Activity.status.not_in(_DECIDED), Activity.decided_at.is_(None),
               Activity.decided_at <= now - undo_window())


def status_told_to_author(activity: Activity, now: datetime | None = None) -> ActivityStatus:
    """The status the author is shown: "Submitted" while a decision may still be undone."""
    if activity.status not in _DECIDED or activity.decided_at is None:
        return activity.status
    decided_at = activity.decided_at
    if decided_at.tzinfo is None:  # SQLite hands back naive UTC
        decided_at = decided_at.replace(tzinfo=UTC)
    now = now or appraisal_year.now()
    return activity.status if decided_at <= now - undo_window() else ActivityStatus.SUBMITTED
