"""What My year and My portfolio show, and the export of all my own data. Read-only apart from
the audit entry an export leaves."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import access, audit, compliance
from tracker.appraisal_year import AppraisalYear
from tracker.audit import record
from tracker.counting import exemption_in_force, live_in_year
from tracker.durations import duration_text, hours_text, more_text
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent, Behaviour, Exemption, Notice, Person
from tracker.observation.own_data import requests_made as observations_requested
from tracker.organisation import organisation_name
from tracker.plurals import noun
from tracker.portfolio import suggestions as suggestion_rules
from tracker.portfolio.behaviours import SubjectGroup, group_by_subject, tier_behaviours
from tracker.portfolio.years import days_left, years_to_show


# --- My year ----------------------------------------------------------------------------


@dataclass
class RulePart:
    label: str
    done: str
    required: str
    value: float  # for the progress bar
    maximum: float
    pending: str = ""
    met: bool = False


@dataclass
class MyYear:
    year: AppraisalYear
    years: list[AppraisalYear]
    is_current: bool
    days_left: int
    ended: bool
    progress: compliance.Progress
    rule: compliance.Rule
    missing: list[str]
    parts: list[RulePart]
    activities: list[Activity]
    groups: list[SubjectGroup]
    evidence: dict[int, bool]
    exemption: Exemption | None
    notices: list[Notice]
    suggestions: suggestion_rules.Suggestions | None

    @property
    def status(self) -> compliance.Status:
        return self.progress.status


def rule_parts(progress: compliance.Progress, rule: compliance.Rule) -> list[RulePart]:
    """One line per part of the tier's rule: what is signed off, what is waiting, what is needed."""
    done, with_pending = progress.signed_off, progress.with_pending
    parts = []

    def waiting(n, noun_one, noun_many):
        return f"{n} {noun(n, noun_one, noun_many)} awaiting sign-off" if n > 0 else ""

    required = rule.min_experiential_activities
    parts.append(RulePart(
        "Experiential activities signed off", str(done.activities), str(required),
        min(done.activities, required), max(required, 1),
        waiting(with_pending.activities - done.activities, "more activity", "more activities"),
        done.activities >= required,
    ))
    if rule.min_hours > 0:
        extra = with_pending.minutes - done.minutes
        parts.append(RulePart(
            "Hours of experiential activity signed off", duration_text(done.minutes), hours_text(rule.min_hours),
            float(min(done.hours, rule.min_hours)), float(rule.min_hours),
            f"{more_text(extra)} awaiting sign-off" if extra > 0 else "",
            done.hours >= rule.min_hours,
        ))
    parts.append(RulePart(
        "Behaviours evidenced", str(done.behaviours), str(rule.min_behaviours),
        min(done.behaviours, rule.min_behaviours), max(rule.min_behaviours, 1),
        waiting(with_pending.behaviours - done.behaviours, "more behaviour", "more behaviours"),
        done.behaviours >= rule.min_behaviours,
    ))
    if rule.needs_leadership_behaviour:
        parts.append(RulePart(
            "Behaviour from a leadership subject", "1" if done.leadership else "0", "1",
            1 if done.leadership else 0, 1,
            "1 awaiting sign-off" if with_pending.leadership and not done.leadership else "",
            done.leadership,
        ))
    return parts


def exemption_on(person: Person, year: AppraisalYear, today: date) -> Exemption | None:
    """The exemption the rule sees for this year (the one covering its reference day)."""
    day = compliance.reference_day(year, today)
    return db.session.scalar(
        select(Exemption)
        .where(Exemption.person_id == person.id, exemption_in_force(day))
        .order_by(Exemption.starts_on.desc(), Exemption.id.desc())
        .limit(1)
    )


def activities_in(person: Person, year: AppraisalYear):
    return (
        access.own_activities(person)
        .where(live_in_year(year))
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
    )


def my_year(person: Person, year: AppraisalYear, today: date) -> MyYear:
    rules = compliance.load_rules(year)
    progress = compliance.progress_of(person, year, today, rules)
    rule = rules[progress.tier]  # the tier they had in that year
    activities = db.session.scalars(
        activities_in(person, year).options(joinedload(Activity.activity_type), selectinload(Activity.behaviours))
    ).all()
    behaviours = tier_behaviours(progress.tier, year)
    evidence = compliance.behaviour_evidence(person.id, year)
    is_current = year.contains(today)
    suggestions = None
    if is_current and progress.status not in (compliance.Status.COMPLETE, compliance.Status.EXEMPT):
        suggestions = suggestion_rules.suggest(behaviours, evidence.keys(), year, today, person.team_id)
    notices = db.session.scalars(
        access.own_notices(person).order_by(Notice.sent_on.desc(), Notice.id.desc()).limit(10)
    ).all()
    return MyYear(
        year=year,
        years=years_to_show(person, today),
        is_current=is_current,
        days_left=days_left(year, today),
        ended=year.has_ended(today),
        progress=progress,
        rule=rule,
        missing=compliance.missing(progress, rule),
        parts=rule_parts(progress, rule),
        activities=list(activities),
        groups=group_by_subject(behaviours),
        evidence=evidence,
        exemption=exemption_on(person, year, today) if progress.status == compliance.Status.EXEMPT else None,
        notices=list(notices),
        suggestions=suggestions,
    )


# --- my portfolio and my data -----------------------------------------------------------


@dataclass
class Portfolio:
    person: Person
    year: AppraisalYear
    years: list[AppraisalYear]
    progress: compliance.Progress
    rule: compliance.Rule
    missing: list[str]
    activities: list[Activity]
    signed_off_minutes: int
    evidenced: list[Behaviour]
    generated_on: date
    organisation: str
    include_all: bool  # False: only signed-off activities, what an appraisal looks at
    left_out: int  # activities of the year not listed because they are not signed off


def _full_activity_options():
    return (
        joinedload(Activity.activity_type),
        joinedload(Activity.course),
        joinedload(Activity.decided_by),
        selectinload(Activity.behaviours).joinedload(Behaviour.subject),
        selectinload(Activity.evidence_files),
    )


def portfolio(person: Person, year: AppraisalYear, today: date, include_all: bool = False) -> Portfolio:
    """The year's portfolio for appraisal: signed-off activities, or with include_all every one of
    the person's own (their drafts too: the page is theirs alone)."""
    rules = compliance.load_rules(year)
    progress = compliance.progress_of(person, year, today, rules)
    rule = rules[progress.tier]  # the tier they had in that year
    everything = activities_in(person, year).order_by(None)
    signed_off = everything.where(Activity.status == ActivityStatus.SIGNED_OFF)
    activities = db.session.scalars(
        (everything if include_all else signed_off).order_by(Activity.occurred_on, Activity.id)
        .options(*_full_activity_options())
    ).unique().all()
    left_out = 0 if include_all else db.session.scalar(
        select(func.count()).select_from(
            everything.where(Activity.status != ActivityStatus.SIGNED_OFF).subquery()))
    evidence = compliance.behaviour_evidence(person.id, year)
    # As the year's framework has them (evidence under another version counts as its own).
    signed = [bid for bid, is_signed in evidence.items() if is_signed]
    evidenced = db.session.scalars(
        select(Behaviour).where(Behaviour.id.in_(signed)).options(joinedload(Behaviour.subject))).all()
    return Portfolio(
        person=person, year=year, years=years_to_show(person, today), progress=progress, rule=rule,
        missing=compliance.missing(progress, rule), activities=list(activities),
        signed_off_minutes=progress.signed_off.minutes,
        evidenced=sorted(evidenced, key=lambda b: (b.subject.position, b.subject.number, b.position)),
        generated_on=today, organisation=organisation_name(), include_all=include_all, left_out=left_out,
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def export_data(person: Person, when: datetime) -> dict:
    """Everything the tracker holds about `person`, for a subject access request.

    Includes deleted activities (they are kept) and the audit entries about or by them.
    Evidence files are listed; their content is downloaded from the activity pages.
    """
    activities = db.session.scalars(
        select(Activity).where(Activity.owner_id == person.id)
        .order_by(Activity.occurred_on, Activity.id).options(*_full_activity_options())
    ).unique().all()
    exemptions = db.session.scalars(
        select(Exemption).where(Exemption.person_id == person.id).order_by(Exemption.starts_on)
        .options(joinedload(Exemption.recorded_by))
    ).all()
    notices = db.session.scalars(
        select(Notice).where(Notice.person_id == person.id).order_by(Notice.sent_on, Notice.id)
    ).all()
    subject = audit.subject_id_of(person.id)
    events = db.session.execute(
        audit.events_with_actor_name()
        .where((AuditEvent.about_subject_id == subject) | (AuditEvent.actor_subject_id == subject))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    record(person, "portfolio.exported", person=person)
    return {
        "exported_at": _iso(when),
        "about": "All the data this tracker holds about you. Dates are ISO 8601; times are UTC.",
        "person": {
            "name": person.name,
            "email": person.email,
            "employee_number": person.employee_number,
            "job_title": person.job_title,
            "staff_group": person.staff_group.value,
            "tier": person.tier,
            "team": person.team.name,
            "line_manager": person.line_manager.name if person.line_manager else None,
            "roles": sorted(role.value for role in person.roles),
            "active": person.active,
            "created_at": _iso(person.created_at),
        },
        "activities": [
            {
                "id": a.id,
                "occurred_on": _iso(a.occurred_on),
                "title": a.title,
                "type": a.activity_type.label,
                "experiential": a.activity_type.experiential,
                "duration_minutes": a.duration_minutes,
                "course": a.course.title if a.course else None,
                "behaviours": [{"code": b.code, "text": b.text} for b in a.behaviours],
                "reflection_model": a.reflection_model.value if a.reflection_model else None,
                "reflection": a.reflection or {},
                "manager_may_read_reflection": a.manager_may_read,
                "status": a.status.value,
                "submitted_at": _iso(a.submitted_at),
                "decided_by": a.decided_by.name if a.decided_by else None,
                "decided_at": _iso(a.decided_at),
                "feedback": a.feedback,
                "deleted_at": _iso(a.deleted_at),
                "created_at": _iso(a.created_at),
                "updated_at": _iso(a.updated_at),
                "evidence_files": [
                    {"name": f.original_name, "type": f.content_type, "size_bytes": f.size_bytes,
                     "uploaded_at": _iso(f.uploaded_at)}
                    for f in a.evidence_files
                ],
            }
            for a in activities
        ],
        "exemptions": [
            {"reason": e.reason.value, "detail": e.reason_detail, "starts_on": _iso(e.starts_on),
             "ends_on": _iso(e.ends_on), "recorded_by": e.recorded_by.name if e.recorded_by else None}
            for e in exemptions
        ],
        "notices": [
            {"sent_on": _iso(n.sent_on), "message": n.message, "dismissed_at": _iso(n.dismissed_at)}
            for n in notices
        ],
        # Observers asked to watch them, and what each one answered.
        "observations": observations_requested(person),
        "audit_trail": [
            {"at": _iso(event.occurred_at), "action": event.action, "by": actor_name,
             "about_you": event.about_subject_id == subject, "activity_id": event.activity_id}
            for event, actor_name in events
        ],
    }
