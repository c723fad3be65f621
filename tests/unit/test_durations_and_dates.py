"""The shared wording of hours and durations, and the one date-input parser."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker import appraisal_year
from tracker.date_input import parse_date_parts
from tracker.durations import duration_text, hours_text, minutes_to_hours, more_text, number_text


@pytest.mark.parametrize("minutes, words", [
    (0, "0 minutes"), (1, "1 minute"), (45, "45 minutes"), (60, "1 hour"), (61, "1 hour 1 minute"),
    (90, "1 hour 30 minutes"), (120, "2 hours"), (135, "2 hours 15 minutes"),
])
def test_duration_in_words(minutes, words):
    assert duration_text(minutes) == words


@pytest.mark.parametrize("hours, words", [
    (1, "1 hour"), (Decimal("1.00"), "1 hour"), (Decimal("1.5"), "1 hour 30 minutes"), (0, "0 hours"),
    (6, "6 hours"), (Decimal("0.25"), "15 minutes"), (None, "0 hours"), (Decimal("2.75"), "2 hours 45 minutes"),
    ("1.5", "1 hour 30 minutes"), (Decimal("0.01"), "1 minute"),
])
def test_hours_are_said_the_one_way_durations_are(hours, words):
    # One format on screen: an hours figure reads like an activity's time, never "1.5 hours".
    assert hours_text(hours) == words


@pytest.mark.parametrize("minutes, words", [
    (60, "1 more hour"), (120, "2 more hours"), (90, "1 hour 30 minutes more"), (45, "45 minutes more"),
    (1, "1 minute more"),
])
def test_more_time_needed_in_words(minutes, words):
    assert more_text(minutes) == words


def test_numbers_lose_trailing_zeros_but_keep_their_value():
    assert number_text(Decimal("6.00")) == "6"
    assert number_text(Decimal("10")) == "10"  # not "1E+1"
    assert number_text(1.5) == "1.5"
    assert minutes_to_hours(90) == Decimal("1.50")
    assert minutes_to_hours(None) == Decimal("0.00")


def test_a_date_typed_in_three_parts():
    assert parse_date_parts("27", "3", "2026", "Date") == (date(2026, 3, 27), None)
    assert parse_date_parts(" 1 ", "04", "2026", "Date") == (date(2026, 4, 1), None)
    assert parse_date_parts("", "", "", "Date") == (None, None)


@pytest.mark.parametrize("day, month, year, message", [
    ("", "3", "2026", "Date must include a day"),
    ("", "", "2026", "Date must include a day and a month"),
    ("31", "2", "2026", "Date must be a real date, for example 1 6 2026"),
    ("1_0", "3", "2026", "Date must be a real date, for example 1 6 2026"),
    ("+5", "3", "2026", "Date must be a real date, for example 1 6 2026"),
    ("\u0665", "3", "2026", "Date must be a real date, for example 1 6 2026"),
    ("1", "3", "1899", "Date must be a real date, for example 1 6 2026"),
    ("1", "3", "2201", "Date must be a real date, for example 1 6 2026"),
])
def test_a_date_that_is_not_a_real_one_is_named(day, month, year, message, monkeypatch):
    monkeypatch.setattr(appraisal_year, "today", lambda: date(2026, 6, 15))  # the example is this month's first
    assert parse_date_parts(day, month, year, "Date") == (None, message)
