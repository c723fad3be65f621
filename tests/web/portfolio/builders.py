"""Builders for the portfolio tests: a valid activity form and activities of one's own.

Dates default to a day in the appraisal year of the application's today (the frozen clock),
read when called, never at import.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import make_activity
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import Activity

VALID_NHS = "943 476 5919"
GIBBS = {
    "gibbs__description": "We debriefed after a family meeting that went badly.",
    "gibbs__feelings": "I felt I had rushed the family.",
    "gibbs__evaluation": "The plan was clear but I did not leave silences.",
    "gibbs__analysis": "I was worried about time.",
    "gibbs__conclusion": "Silence gives people room to ask.",
    "gibbs__action_plan": "Pause and ask what they already know.",
}


def day_in_this_year() -> date:
    """A recent day of the current appraisal year: three days ago, or its first day."""
    today = appraisal_year.today()
    return max(appraisal_year.current_year(today).starts_on, today - timedelta(days=3))


def date_fields(day: date, name: str = "occurred_on") -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def activity_form(ref, action="submit", on: date | None = None, **overrides):
    """A complete, valid activity form for the tier 2 nurse; override any field."""
    data = {
        **date_fields(on or day_in_this_year()),
        "title": "Debrief after a difficult family meeting",
        "type_id": str(ref["types"]["team_debrief"].id),
        "duration_hours": "1", "duration_minutes": "30", "course_id": "",
        "behaviour_ids": [str(ref["b"]["2.2"].id), str(ref["b"]["4.1"].id)],
        "reflection_model": "gibbs", **GIBBS, "action": action,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def activity_count() -> int:
    return db.session.scalar(select(func.count(Activity.id)))


def only_activity() -> Activity:
    return db.session.scalars(select(Activity)).one()


def my_activity(owner, ref, **kwargs):
    kwargs.setdefault("occurred_on", day_in_this_year())
    kwargs.setdefault("behaviours", [ref["b"]["2.2"]])
    activity = make_activity(owner, ref["types"]["team_debrief"], **kwargs)
    db.session.commit()
    return activity
