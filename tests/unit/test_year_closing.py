"""When an appraisal year closes: the day after its end plus 30 days' grace, for years starting in
April (the NHS financial year) and in January."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.appraisal_year import AppraisalYear
from tracker.refusal import Refused
from tracker.year_closing import (
    GRACE_DAYS,
    closed_message,
    closed_message_for,
    closes_on,
    ensure_open,
    first_open_day,
    is_closed,
    open_years,
)

APRIL_2026 = AppraisalYear(2026)  # 1 April 2026 to 31 March 2027
JANUARY_2026 = AppraisalYear(2026, start_month=1)  # 1 January to 31 December 2026
APRIL_MESSAGE = "The 2026 to 2027 appraisal year closed at the end of 30 April 2027, so nothing dated in it can be changed"
JANUARY_MESSAGE = "The 2026 appraisal year closed at the end of 30 January 2027, so nothing dated in it can be changed"


@pytest.fixture
def april_years(app):
    with app.app_context():
        yield


@pytest.fixture
def january_years(app, monkeypatch):
    monkeypatch.setitem(app.config, "APPRAISAL_YEAR_START_MONTH", 1)
    with app.app_context():
        yield


def test_the_grace_period_is_30_days():
    assert GRACE_DAYS == 30


@pytest.mark.parametrize("year,last_open_day", [
    (APRIL_2026, date(2027, 4, 30)),
    (JANUARY_2026, date(2027, 1, 30)),
    (AppraisalYear(2023), date(2024, 4, 30)),  # a year ending on a leap year's 31 March
    (AppraisalYear(2023, start_month=1), date(2024, 1, 30)),
])
def test_a_year_is_open_on_its_last_grace_day_and_closed_the_next(year, last_open_day):
    assert closes_on(year) == date.fromordinal(last_open_day.toordinal() + 1)
    assert not is_closed(year, year.ends_on)
    assert not is_closed(year, last_open_day)
    assert is_closed(year, closes_on(year))


def test_the_message_names_the_year_and_its_last_open_day():
    assert closed_message(APRIL_2026) == APRIL_MESSAGE
    assert closed_message(JANUARY_2026) == JANUARY_MESSAGE


def test_april_years_open_and_first_open_day(april_years):
    assert open_years(date(2027, 4, 30)) == [APRIL_2026, AppraisalYear(2027)]
    assert first_open_day(date(2027, 4, 30)) == date(2026, 4, 1)
    assert open_years(date(2027, 5, 1)) == [AppraisalYear(2027)]
    assert first_open_day(date(2027, 5, 1)) == date(2027, 4, 1)
    assert first_open_day(date(2027, 3, 31)) == date(2026, 4, 1)  # in the year: last year long closed


def test_january_years_open_and_first_open_day(january_years):
    assert open_years(date(2027, 1, 30)) == [JANUARY_2026, AppraisalYear(2027, start_month=1)]
    assert first_open_day(date(2027, 1, 30)) == date(2026, 1, 1)
    assert open_years(date(2027, 1, 31)) == [AppraisalYear(2027, start_month=1)]
    assert first_open_day(date(2027, 1, 31)) == date(2027, 1, 1)


@pytest.mark.parametrize("day,today,message", [
    (date(2027, 3, 31), date(2027, 4, 30), None),  # last year, on its last grace day
    (date(2027, 3, 31), date(2027, 5, 1), APRIL_MESSAGE),  # the first closed day
    (date(2026, 4, 1), date(2027, 5, 1), APRIL_MESSAGE),  # the closed year's first day
    (date(2027, 4, 1), date(2027, 5, 1), None),  # this year
    (date(2026, 3, 31), date(2027, 4, 10), "The 2025 to 2026 appraisal year closed at the end of 30 April 2026, "
                                           "so nothing dated in it can be changed"),  # the year before last
])
def test_closed_message_for_a_day_in_april_years(april_years, day, today, message):
    assert closed_message_for(day, today) == message


@pytest.mark.parametrize("day,today,message", [
    (date(2026, 12, 31), date(2027, 1, 30), None),
    (date(2026, 12, 31), date(2027, 1, 31), JANUARY_MESSAGE),
    (date(2027, 1, 1), date(2027, 1, 31), None),
    (date(2026, 3, 31), date(2026, 5, 1), None),  # in January years, March is not an ending
])
def test_closed_message_for_a_day_in_january_years(january_years, day, today, message):
    assert closed_message_for(day, today) == message


def test_ensure_open_refuses_naming_the_field(april_years):
    ensure_open(date(2027, 3, 31), date(2027, 4, 30), "starts_on")  # open: nothing raised
    with pytest.raises(Refused) as refused:
        ensure_open(date(2027, 3, 31), date(2027, 5, 1), "starts_on")
    assert refused.value.errors == {"starts_on": APRIL_MESSAGE}
    with pytest.raises(Refused) as refused:
        ensure_open(date(2027, 3, 31), date(2027, 5, 1))
    assert refused.value.errors == {"form": APRIL_MESSAGE}
