"""What Home shows a person to do next, gathered in a fixed number of queries.

Everyone: activities returned with feedback, reminders from their manager, drafts not yet submitted,
what is left of this year's requirement and the days left, and who signs off their activities.
Managers: activities waiting for their decision, and their people not started (this year) or
overdue (last year, while it still takes late logging). Education leads: the organisation's
compliance and the last export.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import access, compliance, figures
from tracker.appraisal_year import AppraisalYear, current_year
from tracker.compliance import Progress, Status
from tracker.counting import decision_told, live_activity
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent, Notice, Person, Role
from tracker.portfolio.years import days_left
from tracker.roster import Roster
from tracker.year_closing import is_closed


@dataclass
class ManagerSteps:
    waiting_for_me: int
    not_started: int
    overdue: int
    overdue_year: AppraisalYear | None  # last year, while it still takes late logging


@dataclass
class LeadSteps:
    tally: figures.Tally
    target: int
    last_export: str | None  # e.g. "Compliance by person (CSV)"
    last_export_at: datetime | None


@dataclass
class NextSteps:
    year: AppraisalYear
    progress: Progress
    missing: list[str]
    days_left: int
    returned: list[Activity]
    drafts: list[Activity]
    notices: list[Notice]
    decider: Person | None
    manager: ManagerSteps | None = None
    lead: LeadSteps | None = None

    @property
    def nothing_to_do(self) -> bool:
        return not (self.returned or self.drafts or self.notices or self.missing)


def _open_activities(person: Person, status: ActivityStatus, today: date) -> list[Activity]:
    """The person's activities in this status dated in a year that still takes changes (a decision
    only once it can no longer be undone: until then its author sees the activity as submitted)."""
    this_year = current_year(today)
    earliest = this_year.previous() if not is_closed(this_year.previous(), today) else this_year
    return list(db.session.scalars(
        access.own_activities(person)
        .where(Activity.status == status, Activity.occurred_on >= earliest.starts_on, live_activity(),
               decision_told())
        .options(selectinload(Activity.activity_type))
        .order_by(Activity.occurred_on.desc(), Activity.id.desc()).limit(10)
    ))


def _manager_steps(person: Person, year: AppraisalYear, today: date) -> ManagerSteps:
    from tracker.team.services import queue_count  # the menu's count; team imports nothing of home

    now = figures.roll_up(figures.status_cube(access.managed_staff(person, Roster.of(year, today)), year, today))
    last = year.previous()
    overdue = 0
    if not is_closed(last, today) and last.has_ended(today):
        before = figures.status_cube(access.managed_staff(person, Roster.of(last, today)), last, today)
        overdue = figures.roll_up(before)[Status.OVERDUE]
    return ManagerSteps(waiting_for_me=queue_count(person), not_started=now[Status.NOT_STARTED], overdue=overdue,
                        overdue_year=last if overdue else None)


def _lead_steps(year: AppraisalYear, today: date, default_target: int) -> LeadSteps:
    from tracker.reports.exporting import EXPORTS

    tally = figures.roll_up(figures.status_cube(Roster.of(year, today).people(), year, today))
    last = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported")
                             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(1))
    described = None
    if last is not None:
        export = EXPORTS.get((last.detail or {}).get("export"))
        fmt = str((last.detail or {}).get("format", "")).upper()
        described = f"{export.title if export else 'An export'} ({fmt})" if fmt else None
    return LeadSteps(tally=tally, target=compliance.load_target(year, default_target), last_export=described,
                     last_export_at=last.occurred_at if last else None)


def next_steps(person: Person, today: date, default_target: int) -> NextSteps:
    year = current_year(today)
    rules = compliance.load_rules(year)
    progress = compliance.progress_of(person, year, today, rules)
    steps = NextSteps(
        year=year, progress=progress, missing=compliance.missing(progress, rules[progress.tier]),
        days_left=days_left(year, today),
        returned=_open_activities(person, ActivityStatus.RETURNED, today),
        drafts=_open_activities(person, ActivityStatus.DRAFT, today),
        notices=list(db.session.scalars(access.own_notices(person).order_by(Notice.sent_on.desc()).limit(5))),
        decider=access.decider_for(person),
    )
    if Role.MANAGER in person.roles or access.decides_for_line_reports(person):
        steps.manager = _manager_steps(person, year, today)
    if access.can(person, "reports"):
        steps.lead = _lead_steps(year, today, default_target)
    return steps
