"""The edges of the appraisal year, through the pages: the days around 31 March and 1 April, the
grace month in which last year's activities can still be logged, and a year that starts in January."""
from __future__ import annotations

from datetime import date

import pytest

from tests.web.portfolio.builders import activity_count, activity_form, my_activity
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status, progress_of

LAST_DAY = date(2027, 3, 31)  # the last day of 2026 to 2027
FIRST_DAY = date(2027, 4, 1)  # the first day of 2027 to 2028
Y2026, Y2027 = AppraisalYear(2026), AppraisalYear(2027)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def log(post_form, ref, on: date):
    return post_form("/activities/new", activity_form(ref, on=on, title=f"Debrief on {on.isoformat()}"))


def refused_as_closed(response) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "earlier appraisal years are closed" in html


# --- 31 March and 1 April ---------------------------------------------------------------------


def test_on_31_march_the_year_shown_is_the_one_ending_today(client, as_nurse, clock):
    clock.move_to(LAST_DAY)
    html = page(client, "/my-year")
    assert "Appraisal year 2026 to 2027" in html
    assert "Today is the last day of this appraisal year" in html
    assert "not started" in html and "overdue" not in html


def test_on_1_april_a_new_year_is_shown_and_the_unfinished_one_is_overdue(client, as_nurse, ref, clock):
    my_activity(as_nurse, ref, occurred_on=LAST_DAY, title="Half-way there")
    clock.move_to(FIRST_DAY)
    html = page(client, "/my-year")
    assert "Appraisal year 2027 to 2028" in html and "Half-way there" not in html
    assert "not started" in html
    last_year = page(client, "/my-year?year=2026")
    assert "Half-way there" in last_year and "overdue" in last_year
    assert progress_of(as_nurse, Y2026, LAST_DAY).status == Status.IN_PROGRESS
    assert progress_of(as_nurse, Y2026, FIRST_DAY).status == Status.OVERDUE


def test_a_year_met_by_31_march_stays_complete_on_1_april(client, as_nurse, ref, clock):
    for codes in (("2.1", "2.2"), ("3.1", "4.1")):
        my_activity(as_nurse, ref, occurred_on=LAST_DAY, minutes=90, behaviours=[ref["b"][c] for c in codes])
    clock.move_to(FIRST_DAY)
    assert progress_of(as_nurse, Y2026, FIRST_DAY).status == Status.COMPLETE
    assert progress_of(as_nurse, Y2027, FIRST_DAY).status == Status.NOT_STARTED
    assert "You have met this year" in page(client, "/my-year?year=2026")


@pytest.mark.parametrize("today,logged_on,counts_in", [
    (LAST_DAY, LAST_DAY, 2026),    # the last day belongs to the year ending
    (FIRST_DAY, FIRST_DAY, 2027),  # the first day to the new one
    (FIRST_DAY, LAST_DAY, 2026),   # yesterday, logged today: still last year (its grace month)
])
def test_which_year_an_activity_counts_in(client, as_nurse, ref, post_form, clock, today, logged_on, counts_in):
    clock.move_to(today)
    response = log(post_form, ref, logged_on)
    assert response.status_code == 302 and response.headers["Location"] == f"/my-year?year={counts_in}"
    title = f"Debrief on {logged_on.isoformat()}"
    assert title in page(client, f"/my-year?year={counts_in}")
    other = 2027 if counts_in == 2026 else 2026
    if AppraisalYear(other).starts_on <= today:  # a year yet to start has no page
        assert title not in page(client, f"/my-year?year={other}")
    assert progress_of(as_nurse, AppraisalYear(counts_in), today).with_pending.activities == 1
    assert progress_of(as_nurse, AppraisalYear(other), today).logged == 0


# --- the grace month: last year's activities, logged through the form ---------------------------


def test_last_years_activity_can_be_logged_until_30_april(client, as_nurse, ref, post_form, clock):
    clock.move_to(date(2027, 4, 30))
    response = log(post_form, ref, date(2027, 3, 15))
    assert response.status_code == 302 and response.headers["Location"] == "/my-year?year=2026"
    assert "Debrief on 2027-03-15" in page(client, "/my-year?year=2026")
    assert progress_of(as_nurse, Y2026, date(2027, 4, 30)).pending_activities == 1


def test_last_years_activity_is_refused_from_1_may(client, as_nurse, ref, post_form, clock):
    clock.move_to(date(2027, 5, 1))
    refused_as_closed(log(post_form, ref, date(2027, 3, 31)))
    assert activity_count() == 0
    assert log(post_form, ref, date(2027, 4, 1)).status_code == 302  # this year's first day is fine


def test_the_year_before_last_is_closed_even_in_the_grace_month(client, as_nurse, ref, post_form, clock):
    clock.move_to(date(2027, 4, 10))
    refused_as_closed(log(post_form, ref, date(2026, 3, 31)))
    assert activity_count() == 0


# --- a year that starts in January ---------------------------------------------------------------


@pytest.fixture
def january_years(app, monkeypatch):
    monkeypatch.setitem(app.config, "APPRAISAL_YEAR_START_MONTH", 1)


def test_a_january_year_is_named_by_its_calendar_year(client, as_nurse, clock, january_years):
    clock.move_to(date(2027, 12, 31))
    html = page(client, "/my-year")
    assert "Appraisal year 2027" in html and "Appraisal year 2027 to 2028" not in html
    assert "Today is the last day of this appraisal year" in html
    clock.move_to(date(2028, 1, 1))
    assert "Appraisal year 2028" in page(client, "/my-year")


def test_a_january_year_counts_31_december_in_the_old_year_and_1_january_in_the_new(
        client, as_nurse, ref, post_form, clock, january_years):
    clock.move_to(date(2027, 1, 1))
    assert log(post_form, ref, date(2026, 12, 31)).headers["Location"] == "/my-year?year=2026"
    assert log(post_form, ref, date(2027, 1, 1)).headers["Location"] == "/my-year?year=2027"
    assert "Debrief on 2026-12-31" in page(client, "/my-year?year=2026")
    assert "Debrief on 2026-12-31" not in page(client, "/my-year?year=2027")
    january_2027 = AppraisalYear(2027, start_month=1)
    assert progress_of(as_nurse, january_2027, date(2027, 1, 1)).with_pending.activities == 1
    assert progress_of(as_nurse, AppraisalYear(2026, start_month=1), date(2027, 1, 1)).status == Status.OVERDUE


def test_a_january_years_grace_month_ends_on_30_january(client, as_nurse, ref, post_form, clock, january_years):
    clock.move_to(date(2027, 1, 30))
    assert log(post_form, ref, date(2026, 12, 20)).status_code == 302
    clock.move_to(date(2027, 1, 31))
    refused_as_closed(log(post_form, ref, date(2026, 12, 21)))
    assert activity_count() == 1
