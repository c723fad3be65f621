"""Which appraisal years a person sees in the year switcher (which still accept changes: tracker.year_closing)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func

from tracker import access
from tracker.appraisal_year import AppraisalYear, current_year, start_month, year_containing
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import Activity, Person

def days_left(year: AppraisalYear, today: date) -> int:
    """Whole days after today until the year ends: 0 on its last day and once it has ended."""
    return max((year.ends_on - today).days, 0)


def years_to_show(person: Person, today: date) -> list[AppraisalYear]:
    """For the year switcher: from the person's first activity (or last year) to this year, newest first."""
    this_year = current_year(today)
    first = db.session.scalar(
        access.own_activities(person).with_only_columns(func.min(Activity.occurred_on)).order_by(None)
    )
    earliest = year_containing(first, start_month()) if first else this_year
    earliest = min(earliest, this_year.previous(), key=lambda y: y.start_year)
    return [AppraisalYear(y, this_year.start_month) for y in range(this_year.start_year, earliest.start_year - 1, -1)]


def year_from_arg(person: Person, raw: str | None, today: date) -> AppraisalYear | None:
    """The year named in the address (its start year), the current year when absent, None when unknown."""
    if raw in (None, ""):
        return current_year(today)
    wanted = record_id(raw)
    if wanted is None:
        return None
    for year in years_to_show(person, today):
        if year.start_year == wanted:
            return year
    return None
