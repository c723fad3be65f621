"""One reading of a date typed as day, month and year (the NHS date input) for every form."""
from __future__ import annotations

from datetime import date

from flask import has_app_context

from tracker import appraisal_year

# A typed year outside these is a typing slip, not a date anyone means in this service.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def typed(day: date) -> str:
    """A day as it is typed in the three boxes: "1 11 2026"."""
    return f"{day.day} {day.month} {day.year}"


def example_day(which: str = "recent") -> date:
    """A day to give as an example, always inside the current appraisal year (computed from today,
    so a hint never points at a year that has closed): "start" its first day, "end" its last,
    "today" today, "recent" the first of this month (today or earlier, like most dates asked for)."""
    today = appraisal_year.today()
    year = appraisal_year.current_year(today) if has_app_context() else appraisal_year.year_containing(today)
    return {"start": year.starts_on, "end": year.ends_on, "today": today,
            "recent": today.replace(day=1)}[which]


def date_example(which: str = "recent") -> str:
    """The example day as typed, for hints: "For example, " ~ date_example()."""
    return typed(example_day(which))


def parse_date_parts(day: str, month: str, year: str, label: str) -> tuple[date | None, str | None]:
    """(the date, None), or (None, a message naming the field), or (None, None) when all blank."""
    parts = {"day": (day or "").strip()[:10], "month": (month or "").strip()[:10], "year": (year or "").strip()[:10]}
    if not any(parts.values()):
        return None, None
    missing = [name for name, value in parts.items() if not value]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    # Plain digits only: int() would also take "1_0", "+5" or other scripts' digits.
    if not all(value.isascii() and value.isdigit() for value in parts.values()):
        return None, f"{label} must be a real date, for example {date_example()}"
    try:
        d, m, y = (int(parts[name]) for name in ("day", "month", "year"))
        if not EARLIEST_YEAR <= y <= LATEST_YEAR:
            raise ValueError
        return date(y, m, d), None
    except ValueError:
        return None, f"{label} must be a real date, for example {date_example()}"
