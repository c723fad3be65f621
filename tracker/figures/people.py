"""One row per person with the figures of the dashboard's people table and the people export."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import aliased

from tracker import compliance
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Rule, Status
from tracker.counting import exemption_in_force
from tracker.models import Exemption, Person, PersonPeriod, in_force
from tracker.roster import Roster, ids_of

PEOPLE_SORTS = {
    "name": lambda c: (c["name"],),
    "team": lambda c: (c["team"], c["name"]),
    "staff_group": lambda c: (c["staff_group"], c["name"]),
    "tier": lambda c: (c["tier"], c["name"]),
    "status": lambda c: (c["status_order"], c["name"]),
    "activities": lambda c: (c["activities"], c["name"]),
    "hours": lambda c: (c["minutes"], c["name"]),
    "behaviours": lambda c: (c["behaviours"], c["name"]),
    "last_activity": lambda c: (c["last_activity_on"], c["name"]),
    "pending": lambda c: (c["pending"], c["name"]),
}

# The order a manager reads statuses in: who needs something first.
STATUS_ORDER = (Status.OVERDUE, Status.NOT_STARTED, Status.IN_PROGRESS, Status.AWAITING_SIGN_OFF,
                Status.COMPLETE, Status.EXEMPT)


def people_query(people: Select, year: AppraisalYear, today: date, rules: dict[int, Rule] | None = None,
                 statuses: list[Status] | None = None, sort: str = "status", descending: bool = False,
                 with_export_columns: bool = False) -> Select:
    """One row per person of `people` (a people selection of the year's roster) with the figures of
    the dashboard table (and the export); team, staff group and tier as on the year's reference day."""
    roster = Roster.of(year, today)
    figures = compliance.status_query(people, year, today, rules).subquery("figures")
    ids = ids_of(people)
    team = roster.unit_names()
    status_order = case(
        *[(figures.c.status == s.value, i) for i, s in enumerate(STATUS_ORDER)], else_=len(STATUS_ORDER)
    )
    columns = {
        "id": Person.id,
        "name": Person.name,
        "team_id": figures.c.team_id,
        "team": team.c.name,
        "staff_group": figures.c.staff_group,
        "tier": figures.c.tier,
        "status": figures.c.status,
        "status_order": status_order,
        "activities": figures.c.s_activities,
        "minutes": figures.c.s_minutes,
        "behaviours": figures.c.s_behaviours,
        "pending": figures.c.pending_activities,
        "last_activity_on": figures.c.last_activity_on,
    }
    query = (
        select(*[col.label(name) for name, col in columns.items()])
        .join(figures, figures.c.person_id == Person.id)
        .join(team, team.c.unit_id == figures.c.team_id)
    )
    if with_export_columns:
        directorates = roster.directorate_names()
        # The line manager of the period in force on the roster's day, so a later change never rewrites a closed year.
        period = aliased(PersonPeriod, name="period_then")
        manager = aliased(Person, name="line_manager")
        reasons = (
            select(Exemption.person_id.label("person_id"), func.min(Exemption.reason).label("reason"))
            .where(exemption_in_force(compliance.reference_day(year, today)), Exemption.person_id.in_(ids))
            .group_by(Exemption.person_id)
            .subquery("exemption_reasons")
        )
        query = (
            query.add_columns(Person.employee_number.label("employee_number"), Person.email.label("email"),
                              directorates.c.name.label("directorate"), reasons.c.reason.label("exempt_reason"),
                              manager.name.label("line_manager"))
            .outerjoin(directorates, directorates.c.unit_id == figures.c.team_id)
            .outerjoin(period, and_(period.person_id == Person.id, in_force(period, roster.day)))
            .outerjoin(manager, manager.id == period.line_manager_id)
            .outerjoin(reasons, reasons.c.person_id == Person.id)
        )
    if statuses:
        query = query.where(figures.c.status.in_([s.value for s in statuses]))
    order = PEOPLE_SORTS.get(sort, PEOPLE_SORTS["status"])(columns)
    order = [c.desc() if descending else c.asc() for c in order[:1]] + list(order[1:]) + [Person.id]
    return query.order_by(*order)
