"""The development year: by default the NHS financial year, 1 April to 31 March.

A year is named by the calendar year it starts in: 2025 runs 1 April 2025 to 31 March 2026.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class AppraisalYear:
    start_year: int
    start_month: int = 4

    @property
    def starts_on(self) -> date:
        return date(self.start_year, self.start_month, 1)

    @property
    def ends_on(self) -> date:
        if self.start_month == 1:
            return date(self.start_year, 12, 31)
        return date(self.start_year + 1, self.start_month, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return str(self.start_year)
        return f"{self.start_year} to {self.start_year + 1}"

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def has_ended(self, today: date) -> bool:
        return today > self.ends_on

    def previous(self) -> "AppraisalYear":
        return AppraisalYear(self.start_year - 1, self.start_month)


def year_containing(day: date, start_month: int = 4) -> AppraisalYear:
    start_year = day.year if day.month >= start_month else day.year - 1
    return AppraisalYear(start_year, start_month)


# --- the running application's year ---------------------------------------------------


def today() -> date:
    """The day the rules are judged on: one function, so tests can move it for every area."""
    return date.today()


def now() -> datetime:
    """The moment, for rules counted in minutes (sign-in limits): the same seam as today()."""
    return datetime.now(UTC)


def start_month() -> int:
    from flask import current_app

    return int(current_app.config.get("APPRAISAL_YEAR_START_MONTH", 4))


def current_year(day: date | None = None) -> AppraisalYear:
    """The appraisal year containing `day` (default today) under the configured start month."""
    return year_containing(day or today(), start_month())
