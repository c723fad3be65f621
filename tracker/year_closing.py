"""When an appraisal year closes: at its end plus a grace period for late logging. After that
nothing may be written into it, so its figures read the same for ever."""
from __future__ import annotations

from datetime import date, timedelta

from tracker.appraisal_year import AppraisalYear, current_year, year_containing, start_month
from tracker.refusal import Refused

# After a year ends people may still add late activities to it, and managers decide on them, for this long.
GRACE_DAYS = 30


def closes_on(year: AppraisalYear) -> date:
    """The first day on which the year accepts no more changes."""
    return year.ends_on + timedelta(days=GRACE_DAYS + 1)


def is_closed(year: AppraisalYear, today: date) -> bool:
    return today >= closes_on(year)


def open_years(today: date) -> list[AppraisalYear]:
    """Years that still accept changes: this one, and last year during its grace period."""
    this_year = current_year(today)
    last_year = this_year.previous()
    return [last_year, this_year] if not is_closed(last_year, today) else [this_year]


def closed_message(year: AppraisalYear) -> str:
    last_day = closes_on(year) - timedelta(days=1)
    return (f"The {year.label} appraisal year closed at the end of {last_day.day} {last_day:%B %Y}, "
            "so nothing dated in it can be changed")


def first_open_day(today: date) -> date:
    """The earliest day a change may be dated: for the guard inside an UPDATE ... WHERE."""
    return open_years(today)[0].starts_on


def closed_message_for(day: date, today: date) -> str | None:
    """The message for a change dated `day` when its year has closed, else None (pages offer an
    action only while it would be allowed)."""
    year = year_containing(day, start_month())
    return closed_message(year) if is_closed(year, today) else None


def ensure_open(day: date, today: date, field: str = "form") -> None:
    """Refuse (naming `field`) a change dated `day` when the year containing it has closed."""
    message = closed_message_for(day, today)
    if message:
        raise Refused({field: message})
