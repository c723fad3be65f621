"""The people behind a count of the organisation report: one status (or all), under the report's
filters, a page at a time, sorted as the reader chooses.

The same figures as the team dashboard's people table (tracker.figures.people_query) and the same
count as the report (a status cube of the same people), so the number clicked is the number listed.
A fixed number of queries whatever the size of the organisation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker import compliance, figures
from tracker.compliance import Rule
from tracker.extensions import db
from tracker.organisation import organisation_root
from tracker.paging import page_of
from tracker.reports.pages import Scope
from tracker.scope_filters import Filters

# The columns the list sorts by (the dashboard's, less pending sign-offs, which leads do not act on).
SORTS = tuple(key for key in figures.PEOPLE_SORTS if key != "pending")


@dataclass
class PeopleList:
    filters: Filters
    unit: object  # the chosen unit as it was named on the year's reference day (the organisation when none)
    rules: dict[int, Rule]
    total: int
    rows: list
    page: int
    pages: int


def people_list(scope: Scope, filters: Filters, today: date, sort: str = "name", descending: bool = False,
                page: int = 1) -> PeopleList:
    rules = compliance.load_rules(filters.year)
    roster = filters.roster_of()
    # Narrowed by unit, staff group and tier; the status is chosen below, as on the team dashboard.
    people = filters.narrow(scope(roster), roster)
    tally = figures.roll_up(figures.status_cube(people, filters.year, today, rules))
    total = tally[filters.status] if filters.status else tally.total
    shown = page_of(page, total)
    statuses = [filters.status] if filters.status else None
    rows = db.session.execute(shown.rows(figures.people_query(
        people, filters.year, today, rules, statuses=statuses, sort=sort, descending=descending))).all()
    unit = roster.as_it_was(filters.unit or organisation_root())
    return PeopleList(filters=filters, unit=unit, rules=rules, total=total, rows=rows, page=shown.number,
                      pages=shown.count)
