"""The filters the team dashboard, the report pages and the exports share, read from and
written back to the URL.

year, unit (with everything beneath it), staff group, tier, status, activity type. A bad value
is reported in plain words and the filter falls back to its default, so a mistyped bookmark
still shows a page rather than an error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import Select, select

from tracker import access, appraisal_year, compliance
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import ActivityType, OrganisationUnit, StaffGroup, TIERS
from tracker.roster import Roster

YEARS_OFFERED = 5
ALL_YEARS = "all"


def today() -> date:
    return appraisal_year.today()


def current_year(day: date | None = None) -> AppraisalYear:
    return appraisal_year.current_year(day)


def years_offered(day: date | None = None) -> list[AppraisalYear]:
    year = current_year(day)
    years = [year]
    for _ in range(YEARS_OFFERED - 1):
        years.append(years[-1].previous())
    return years


@dataclass
class Filters:
    year: AppraisalYear | None  # None: every year (the activities export only)
    unit: OrganisationUnit | None = None
    staff_group: StaffGroup | None = None
    tier: int | None = None
    status: Status | None = None
    activity_type: ActivityType | None = None
    errors: list[str] = field(default_factory=list)
    today: date = field(default_factory=lambda: today())

    @property
    def activity_type_id(self) -> int | None:
        return self.activity_type.id if self.activity_type else None

    def args(self, **overrides) -> dict:
        """The filters as URL query arguments (for links, forms and exports)."""
        values = {
            "year": self.year.start_year if self.year else ALL_YEARS,
            "unit": self.unit.id if self.unit else None,
            "staff_group": self.staff_group.name.lower() if self.staff_group else None,
            "tier": self.tier,
            "status": self.status.value if self.status else None,
            "activity_type": self.activity_type.code if self.activity_type else None,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def roster_of(self, year: AppraisalYear | None = None) -> Roster:
        """The organisation on the reference day of `year` (the chosen year; today's for all years)."""
        year = year or self.year or current_year(self.today)
        return Roster.of(year, self.today)

    def narrow(self, people: Select, roster: Roster) -> Select:
        """Apply the people filters (unit, staff group, tier) to a people selection of `roster`."""
        columns = people.selected_columns
        if self.unit is not None:
            people = roster.in_units(people, [self.unit.id])
        if self.staff_group is not None:
            people = people.where(columns.staff_group == self.staff_group)
        if self.tier is not None:
            people = people.where(columns.tier == self.tier)
        return people

    def people(self, scope: Callable[[Roster], Select], year: AppraisalYear | None = None) -> Select:
        """The people a figure for `year` (by default the chosen year) counts: `scope` (an access
        function of a roster) on that year's roster, narrowed by unit, staff group and tier as they
        were then, and to those whose status in the chosen year is the chosen one."""
        roster = self.roster_of(year)
        people = self.narrow(scope(roster), roster)
        if self.status is None or self.year is None:
            return people
        chosen_roster = self.roster_of()
        chosen = self.narrow(scope(chosen_roster), chosen_roster)
        # A CTE, not one more nested subquery: SQLite's parser refuses SQL nested too deep, which
        # the unit filter's roster and a report's own status query around this one reached.
        statuses = compliance.status_query(chosen, self.year, self.today).cte()
        return people.where(people.selected_columns.id.in_(
            select(statuses.c.person_id).where(statuses.c.status == self.status.value)))

    def described(self) -> list[tuple[str, str]]:
        """(filter, value) in words, for the page and the export's description sheet."""
        return [
            ("Appraisal year", self.year.label if self.year else "All years"),
            ("Organisation unit", self.unit.name if self.unit else "Whole organisation"),
            ("Staff group", self.staff_group.value if self.staff_group else "All staff groups"),
            ("Tier", f"Tier {self.tier}" if self.tier else "All tiers"),
            ("Status", self.status.label if self.status else "All statuses"),
            ("Activity type", self.activity_type.label if self.activity_type else "All activity types"),
        ]


STAFF_GROUPS = {group.name.lower(): group for group in StaffGroup}


def parse(args, viewer, unit_for=access.reporting_unit_for, allow_all_years: bool = False,
          day: date | None = None) -> Filters:
    """Read the filters from request arguments. Units outside the viewer's reach are a 404."""
    errors = []
    offered = {y.start_year: y for y in years_offered(day)}
    year: AppraisalYear | None = current_year(day)
    raw = (args.get("year") or "").strip()
    if raw == ALL_YEARS and allow_all_years:
        year = None
    elif raw:
        if record_id(raw) in offered:
            year = offered[record_id(raw)]
        else:
            errors.append("Choose an appraisal year from the list")

    unit = None
    raw = (args.get("unit") or "").strip()
    if raw:
        if record_id(raw) is not None:
            unit = unit_for(viewer, record_id(raw))
        else:
            errors.append("Choose an organisation unit from the list")

    staff_group = None
    raw = (args.get("staff_group") or "").strip()
    if raw:
        staff_group = STAFF_GROUPS.get(raw)
        if staff_group is None:
            errors.append("Choose a staff group from the list")

    tier = None
    raw = (args.get("tier") or "").strip()
    if raw:
        if record_id(raw) in TIERS:
            tier = int(raw)
        else:
            errors.append("Choose tier 1, 2 or 3")

    status = None
    raw = (args.get("status") or "").strip()
    if raw:
        try:
            status = Status(raw)
        except ValueError:
            errors.append("Choose a status from the list")

    activity_type = None
    raw = (args.get("activity_type") or "").strip()
    if raw:
        activity_type = db.session.scalar(select(ActivityType).where(ActivityType.code == raw))
        if activity_type is None:
            errors.append("Choose an activity type from the list")

    return Filters(year=year, unit=unit, staff_group=staff_group, tier=tier, status=status,
                   activity_type=activity_type, errors=errors, today=day or today())
