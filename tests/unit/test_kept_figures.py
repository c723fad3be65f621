"""A closed year's months are computed once and kept: what is kept equals what is computed, only
closed years are kept, and a kept year is read rather than computed again."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker import figures
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.models import KeptFigure
from tracker.roster import Roster

TODAY = date(2026, 11, 30)  # 2026 open; 2025 and 2024 closed
YEARS = [AppraisalYear(2026), AppraisalYear(2025), AppraisalYear(2024)]


@pytest.fixture
def demo(db_session, clock):
    from tracker.demo import load_demo

    clock.move_to(TODAY)
    load_demo(staff=120, years=3, seed=3, today=TODAY)
    db.session.flush()


def everyone(year):
    return Roster.of(year, TODAY).people()


def kept_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(KeptFigure))


def years_scanned(counter) -> int:
    """How many years' activities the month-by-month queries scanned (their people are named
    people_0, people_1 ... one a year)."""
    return sum(statement.count("AS people_") for statement in counter.statements if "WITH members" in statement)


def test_kept_months_equal_computed_months_and_only_closed_years_are_kept(demo, count_queries):
    computed = figures.monthly_compliance_years(everyone, YEARS, TODAY)
    with count_queries() as first:
        assert figures.monthly_keeping_closed_years(everyone, YEARS, TODAY) == computed
    assert kept_rows() == 2 and years_scanned(first) == 3
    with count_queries() as second:
        again = figures.monthly_keeping_closed_years(everyone, YEARS, TODAY)
    assert again == computed
    assert kept_rows() == 2
    # The closed years are read; the open year alone is computed again.
    assert years_scanned(second) == 1
    assert [len(points) for points in again] == [8, 12, 12]


def test_a_different_question_is_kept_apart(demo):
    figures.monthly_keeping_closed_years(everyone, YEARS[1:], TODAY)
    tier_2 = figures.monthly_keeping_closed_years(lambda y: everyone(y).where(everyone(y).selected_columns.tier == 2),
                                                   YEARS[1:], TODAY)
    assert kept_rows() == 4
    assert tier_2 == figures.monthly_compliance_years(
        lambda y: everyone(y).where(everyone(y).selected_columns.tier == 2), YEARS[1:], TODAY)


def test_an_open_year_is_never_kept(demo):
    figures.monthly_keeping_closed_years(everyone, YEARS[:1], TODAY)
    assert kept_rows() == 0
