"""Month-by-month figures of closed years, computed once and kept (tracker.models.kept).

A closed year's activities, sign-offs, exemptions, people, units, rules and framework can no longer
change (tracker.year_closing), so its months read the same for ever: the organisation report keeps
them rather than scanning that year's activities on every request. Only a question whose every input
is of the closed year may be kept: the caller says so (a status filter, which reads the current
year, or a scope held in today's manager scopes, must not be kept).
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Callable

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.figures.monthly import MonthPoint, monthly_compliance_years
from tracker.framework_years import framework_id_of
from tracker.models import KeptFigure
from tracker.year_closing import is_closed


def _key(year: AppraisalYear, people: Select) -> str:
    compiled = people.compile(dialect=db.session.get_bind().dialect)
    question = (f"monthly-v1|{year.start_year}-{year.start_month}|{compliance.load_rules(year)}|"
                f"{framework_id_of(year)}|{compiled}|{sorted(compiled.params.items())}")
    return hashlib.sha256(question.encode("utf-8")).hexdigest()


def _runs(years: list[AppraisalYear]) -> list[list[AppraisalYear]]:
    """Consecutive runs of years (monthly_compliance_years counts consecutive years in one query)."""
    runs: list[list[AppraisalYear]] = []
    for year in sorted(years, key=lambda y: y.start_year):
        if runs and runs[-1][-1].start_year + 1 == year.start_year:
            runs[-1].append(year)
        else:
            runs.append([year])
    return runs


def _keep(key: str, points: list[MonthPoint]) -> None:
    figure = [[p.month.isoformat(), p.complete, p.expected] for p in points]
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # Two requests may compute the same year at once: the first one's row stands.
    db.session.execute(insert(KeptFigure).values(key=key, figure=figure).on_conflict_do_nothing(index_elements=["key"]))


def monthly_keeping_closed_years(people_of: Callable[[AppraisalYear], Select], years: list[AppraisalYear],
                                 today: date) -> list[list[MonthPoint]]:
    """monthly_compliance_years(), with each closed year's points read from what was kept, or
    computed and kept. The caller commits (a GET that keeps a figure commits it)."""
    keys = {year: _key(year, people_of(year)) for year in years if is_closed(year, today)}
    kept = dict(db.session.execute(select(KeptFigure.key, KeptFigure.figure)
                                   .where(KeptFigure.key.in_(list(keys.values())))).all()) if keys else {}
    found = {year: [MonthPoint(date.fromisoformat(month), complete, expected)
                    for month, complete, expected in kept[key]]
             for year, key in keys.items() if key in kept}
    for run in _runs([year for year in years if year not in found]):
        for year, points in zip(run, monthly_compliance_years(people_of, run, today)):
            found[year] = points
            if year in keys:
                _keep(keys[year], points)
    return [found[year] for year in years]
