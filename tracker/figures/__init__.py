"""The figures both dashboards draw, aggregated in SQL over any scope of people.

Everything here starts from a select of Person (a scope from tracker.access, narrowed by
filters) and from compliance.status_query(), so every count agrees with the per-person
status of My year. Python only rolls up already-grouped rows (a few per team), never people.

  status.py    people in each status (the cube) and its roll-ups: overall, per unit, team, group, tier
  people.py    one row per person, for the dashboard's people table and the people export
  coverage.py  behaviour coverage and gaps, and the courses that teach the gaps
  monthly.py   cumulative compliance month by month
  one_pass.py  an open year's cube and months from one read of the kept figures
  counted.py   where each person is counted in a year, kept (counted_read.py groups it for reports)
  counted_tally.py  counters of those rows by team, staff group, tier and month, for the whole organisation
  team_tally.py  one row per team from those counters: its people by status and its place among the lowest
  uptake.py    training uptake: courses used, by staff group and directorate
  units.py     the organisation units figures are grouped by
  upkeep.py    each person's figures per year, kept up to date as activities change (read by
               kept_progress.py); verify.py checks them against the activities

The public names are re-exported here, so callers write `figures.status_cube(...)`.
"""
from __future__ import annotations

from tracker import durations
from tracker.compliance import Status
from tracker.figures.coverage import (
    RARE_BEHAVIOUR_PERCENT,
    RARELY_EVIDENCED_SHOWN,
    Coverage,
    RarelyEvidenced,
    behaviour_coverage,
    behaviour_coverage_by_unit,
    courses_for_behaviours,
    framework_behaviours,
    lowest_first,
    rarely_evidenced,
)
from tracker.figures.monthly import MonthPoint, month_starts, monthly_compliance_years
from tracker.figures.kept import monthly_keeping_closed_years
from tracker.figures.kept_progress import being_rebuilt
from tracker.figures.counted_read import (
    CountedTallies,
    OrganisationTallies,
    counted_tallies,
    organisation_tallies,
    people_page_in_status_order,
)
from tracker.figures.one_pass import status_cube_and_months
from tracker.figures.people import PEOPLE_SORTS, STATUS_ORDER, people_query
from tracker.figures.status import (
    CubeRow,
    Tally,
    UnitFigures,
    by_team,
    ranked_units,
    roll_up,
    status_cube,
    tallies_by_unit,
)
from tracker.figures.uptake import course_activity_conditions, course_behaviours, course_uptake, course_uptake_by

__all__ = [
    "PEOPLE_SORTS", "RARE_BEHAVIOUR_PERCENT", "RARELY_EVIDENCED_SHOWN", "STATUS_ORDER", "Coverage",
    "RarelyEvidenced", "rarely_evidenced", "CubeRow", "MonthPoint", "Tally",
    "UnitFigures", "by_team", "CountedTallies", "counted_tallies", "OrganisationTallies", "organisation_tallies", "behaviour_coverage", "behaviour_coverage_by_unit",
    "course_activity_conditions", "course_behaviours", "course_uptake", "course_uptake_by",
    "courses_for_behaviours", "framework_behaviours", "lowest_first", "month_starts",
    "monthly_compliance_years", "monthly_keeping_closed_years", "status_cube_and_months", "being_rebuilt", "people_query", "ranked_units", "roll_up", "status_cube", "tallies_by_unit",
    "template_globals",
]


def template_globals() -> dict:
    """Names the dashboard templates (and the table macros they import) use."""
    return {
        "minutes_to_hours": durations.minutes_to_hours,
        "RARE_BEHAVIOUR_PERCENT": RARE_BEHAVIOUR_PERCENT,
        "Status": Status,
        "figures_being_updated": being_rebuilt,
        "STATUS_LABELS_BY_VALUE": {s.value: s.label for s in Status},
        "STATUS_DISPLAY_ORDER": (Status.COMPLETE, Status.AWAITING_SIGN_OFF, Status.IN_PROGRESS,
                                 Status.NOT_STARTED, Status.EXEMPT, Status.OVERDUE),
    }
