"""Logging, changing, submitting, withdrawing and deleting my activities, and the choices the form offers.

Nothing here knows about requests. Views pass plain values in, these functions validate,
write and add the audit entry, and the view commits once (or rolls back).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager, selectinload

from tracker import access
from tracker import appraisal_year
from tracker.appraisal_year import AppraisalYear, year_containing
from tracker.audit import record
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Behaviour,
    BehaviourTier,
    Course,
    Domain,
    EvidenceFile,
    Framework,
    Notice,
    Person,
    ReflectionModel,
    Subject,
)
from tracker.portfolio import evidence as evidence_files
from tracker.portfolio.nhs_number import contains_nhs_number, mask_nhs_numbers
from tracker.portfolio.reflection import MAX_ANSWER_LENGTH, MODELS, field_name

# After a year ends people may still add late activities to it for this long.
GRACE_DAYS = 30
MAX_TITLE_LENGTH = 200
MAX_HOURS = 99
NHS_NUMBER_MESSAGE = "Remove the NHS number: reflections must not identify patients"
NHS_NUMBER_IN_FILE_NAME = "Rename the file: file names must not identify patients"
EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)


class ActivityRefused(ValueError):
    """The form cannot be saved. `errors` maps a field to its message; `masked` gives the text
    to show back in fields that held an NHS number, with the number removed."""

    def __init__(self, errors: dict[str, str], masked: dict[str, str] | None = None):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.masked = masked or {}


class NotAllowed(ValueError):
    """The activity is not in a state that allows this; the message says why."""


def now() -> datetime:
    return datetime.now(UTC)


def long_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    return f"{day.day} {day:%B %Y}"


def fmt_hours(value) -> str:
    value = Decimal(value).quantize(Decimal("0.01")).normalize()
    return f"{value:f}"


def duration_text(minutes: int) -> str:
    hours, mins = divmod(minutes or 0, 60)
    parts = []
    if hours:
        parts.append(f"{hours} {'hour' if hours == 1 else 'hours'}")
    if mins or not hours:
        parts.append(f"{mins} {'minute' if mins == 1 else 'minutes'}")
    return " ".join(parts)


# --- appraisal years -------------------------------------------------------------------


start_month = appraisal_year.start_month
current_year = appraisal_year.current_year


def open_years(today: date) -> list[AppraisalYear]:
    """Years a person may still add to: this one, and last year for GRACE_DAYS after it ends."""
    this_year = current_year(today)
    last_year = this_year.previous()
    if (today - last_year.ends_on).days <= GRACE_DAYS:
        return [last_year, this_year]
    return [this_year]


def days_left(year: AppraisalYear, today: date) -> int:
    """Whole days after today until the year ends: 0 on its last day and once it has ended."""
    return max((year.ends_on - today).days, 0)


def years_to_show(person: Person, today: date) -> list[AppraisalYear]:
    """For the year switcher: from the person's first activity (or this year) to this year, newest first."""
    this_year = current_year(today)
    first = db.session.scalar(
        access.own_activities(person).with_only_columns(func.min(Activity.occurred_on)).order_by(None)
    )
    earliest = year_containing(first, start_month()) if first else this_year
    earliest = min(earliest, this_year.previous(), key=lambda y: y.start_year)
    return [AppraisalYear(y, this_year.start_month) for y in range(this_year.start_year, earliest.start_year - 1, -1)]


def year_from_arg(person: Person, raw: str | None, today: date) -> AppraisalYear | None:
    """The year named in the address (its start year), the current year when absent, None when unknown."""
    if raw in (None, ""):
        return current_year(today)
    if not raw.isdigit():
        return None
    wanted = int(raw)
    for year in years_to_show(person, today):
        if year.start_year == wanted:
            return year
    return None


# --- the framework behaviours a person can evidence ------------------------------------


def tier_behaviours(tier: int) -> list[Behaviour]:
    """The current framework's behaviours that apply to `tier`, in framework order (one query)."""
    current = select(Framework.id).where(Framework.is_current.is_(True))
    return list(db.session.scalars(
        select(Behaviour)
        .join(Behaviour.subject)
        .join(Subject.domain)
        .join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
        .where(Behaviour.framework_id.in_(current), BehaviourTier.tier == tier)
        .options(contains_eager(Behaviour.subject).contains_eager(Subject.domain))
        .order_by(Domain.position, Subject.position, Behaviour.position)
    ).unique())


@dataclass
class SubjectGroup:
    subject: Subject
    behaviours: list[Behaviour]
    open: bool = False

    @property
    def domain(self) -> Domain:
        return self.subject.domain


def allowed_behaviours(person: Person, activity: Activity | None = None) -> list[Behaviour]:
    """What the form offers and accepts: my tier's behaviours in the current framework, plus any
    the activity already has (an earlier framework version keeps its mapping)."""
    behaviours = tier_behaviours(person.tier)
    known = {b.id for b in behaviours}
    if activity is not None:
        behaviours += [b for b in activity.behaviours if b.id not in known]
    return behaviours


def group_by_subject(behaviours: list[Behaviour], first_subjects=(), open_ids=()) -> list[SubjectGroup]:
    """Behaviours grouped by subject; subjects named in `first_subjects` (numbers) come first."""
    groups: OrderedDict[int, SubjectGroup] = OrderedDict()
    for behaviour in behaviours:
        group = groups.setdefault(behaviour.subject_id, SubjectGroup(behaviour.subject, []))
        group.behaviours.append(behaviour)
    ordered = list(groups.values())
    first = [g for g in ordered if g.subject.number in first_subjects]
    first_ids = {id(g) for g in first}
    ordered = first + [g for g in ordered if id(g) not in first_ids]
    for group in ordered:
        group.open = group.subject.number in first_subjects or any(b.id in open_ids for b in group.behaviours)
    return ordered


# --- logging and changing an activity --------------------------------------------------


@dataclass
class ActivityInput:
    """What the form sent, as plain strings and lists; nothing is trusted yet."""

    day: str = ""
    month: str = ""
    year: str = ""
    title: str = ""
    type_id: str = ""
    hours: str = ""
    minutes: str = ""
    course_id: str = ""
    behaviour_ids: list[str] = field(default_factory=list)
    reflection_model: str = ""
    # Every prompt field the form sent, by field name (e.g. "gibbs__feelings"); only the chosen model's are kept.
    answers: dict[str, str] = field(default_factory=dict)
    manager_may_read: bool = False
    uploads: list[evidence_files.Upload] = field(default_factory=list)
    remove_evidence_ids: list[str] = field(default_factory=list)


@dataclass
class Saved:
    activity: Activity
    submitted: bool
    stored_files: list[str]  # written now: remove them if the commit fails
    removed_files: list[str]  # to delete from disk once the commit succeeds


def _parse_int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw or len(raw) > 9 or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def _check_date(data: ActivityInput, today: date, errors: dict) -> date | None:
    parts = {"day": data.day.strip(), "month": data.month.strip(), "year": data.year.strip()}
    if not any(parts.values()):
        errors["occurred_on"] = "Enter the date of the activity"
        return None
    missing = [name for name, value in parts.items() if not value]
    if missing:
        errors["occurred_on"] = f"Date of the activity must include a {' and a '.join(missing)}"
        return None
    day, month, year = (_parse_int(parts[k]) for k in ("day", "month", "year"))
    try:
        if None in (day, month, year) or year < 1000:
            raise ValueError
        occurred_on = date(year, month, day)
    except ValueError:
        errors["occurred_on"] = "Date of the activity must be a real date"
        return None
    if occurred_on > today:
        errors["occurred_on"] = "Date of the activity must be today or in the past"
        return None
    years = open_years(today)
    if not any(y.contains(occurred_on) for y in years):
        errors["occurred_on"] = (
            f"Date of the activity must be on or after {long_date(years[0].starts_on)}: "
            "earlier appraisal years are closed"
        )
        return None
    return occurred_on


def _check_duration(data: ActivityInput, submit: bool, errors: dict) -> int:
    hours_raw, minutes_raw = data.hours.strip(), data.minutes.strip()
    hours = _parse_int(hours_raw) if hours_raw else 0
    minutes = _parse_int(minutes_raw) if minutes_raw else 0
    if hours is None or minutes is None:
        errors["duration"] = "Duration must be whole hours and minutes, for example 1 hour 30 minutes"
        return 0
    if minutes > 59:
        errors["duration"] = "Minutes must be between 0 and 59"
        return 0
    if hours > MAX_HOURS:
        errors["duration"] = f"Duration must be {MAX_HOURS} hours or less"
        return 0
    total = hours * 60 + minutes
    if submit and total == 0:
        errors["duration"] = "Enter how long the activity took"
    return total


def _check_text(key: str, text: str, label: str, max_length: int, required_message: str | None,
                errors: dict, masked: dict) -> str:
    text = (text or "").strip()
    if contains_nhs_number(text):
        errors[key] = NHS_NUMBER_MESSAGE
        masked[key] = mask_nhs_numbers(text)
    elif len(text) > max_length:
        errors[key] = f"{label} must be {max_length:,} characters or fewer"
    elif required_message and not text:
        errors[key] = required_message
    return text


def _check_evidence(activity: Activity | None, data: ActivityInput, errors: dict):
    existing = {f.id: f for f in (activity.evidence_files if activity is not None else [])}
    remove = []
    for raw in data.remove_evidence_ids:
        evidence_id = _parse_int(raw)
        if evidence_id not in existing:
            errors["evidence"] = "Select files to remove from the list"
            return [], []
        remove.append(existing[evidence_id])
    checked = []
    for upload in data.uploads:
        if contains_nhs_number(upload.filename):
            errors["evidence"] = NHS_NUMBER_IN_FILE_NAME
            return [], []
        try:
            checked.append(evidence_files.check(upload))
        except evidence_files.EvidenceRefused as refused:
            errors["evidence"] = f"The selected file {refused}"
            return [], []
    if len(existing) - len(set(f.id for f in remove)) + len(checked) > evidence_files.MAX_FILES_PER_ACTIVITY:
        errors["evidence"] = (
            f"You can attach up to {evidence_files.MAX_FILES_PER_ACTIVITY} files to an activity"
            + (": remove one before adding another" if existing else "")
        )
        return [], []
    return remove, checked


def save_activity(owner: Person, activity: Activity | None, data: ActivityInput, *, submit: bool,
                  today: date, upload_folder: str) -> Saved:
    """Create (activity=None) or change one of the owner's activities, as a draft or submitted.

    Everything is checked before anything is written; a refusal raises ActivityRefused and
    leaves the database and the upload folder as they were.
    """
    if activity is not None and activity.status not in EDITABLE:
        raise NotAllowed("This activity can no longer be changed")
    errors: dict[str, str] = {}
    masked: dict[str, str] = {}

    occurred_on = _check_date(data, today, errors)
    title = _check_text("title", data.title, "Title", MAX_TITLE_LENGTH, "Enter a title for the activity", errors, masked)

    type_id = _parse_int(data.type_id)
    activity_type = db.session.get(ActivityType, type_id) if type_id is not None else None
    if activity_type is None:
        errors["type_id"] = "Select the type of activity"

    minutes = _check_duration(data, submit, errors)

    course = None
    if data.course_id.strip():
        course_id = _parse_int(data.course_id)
        course = db.session.get(Course, course_id) if course_id is not None else None
        keeps_old_course = activity is not None and course is not None and course.id == activity.course_id
        if course is None or (course.retired and not keeps_old_course):
            errors["course_id"] = "Select a course from the list, or choose that it was not a catalogue course"
            course = None

    allowed = {b.id: b for b in allowed_behaviours(owner, activity)}
    chosen_ids = [_parse_int(raw) for raw in dict.fromkeys(data.behaviour_ids)]
    if any(behaviour_id not in allowed for behaviour_id in chosen_ids):
        errors["behaviour_ids"] = "Select behaviours from the list for your tier"
        chosen_ids = []
    elif submit and not chosen_ids:
        errors["behaviour_ids"] = "Select at least one behaviour that this activity shows"

    model = None
    if data.reflection_model:
        try:
            model = ReflectionModel(data.reflection_model)
        except ValueError:
            errors["reflection_model"] = "Select a reflection model from the list"
    elif submit:
        errors["reflection_model"] = "Select how you want to reflect on this activity"
    reflection = {}
    if model is not None:
        for prompt in MODELS[model].prompts:
            key = field_name(model, prompt)
            text = _check_text(
                key, data.answers.get(key, ""), prompt.label, MAX_ANSWER_LENGTH,
                f"Answer ‘{prompt.label}’" if submit else None, errors, masked,
            )
            if text:
                reflection[prompt.key] = text

    remove, checked = _check_evidence(activity, data, errors)

    if errors:
        raise ActivityRefused(errors, masked)

    # --- everything is valid: write ----------------------------------------------------
    created = activity is None
    if created:
        activity = Activity(owner_id=owner.id, status=ActivityStatus.DRAFT)
        db.session.add(activity)
    activity.occurred_on = occurred_on
    activity.title = title
    activity.type_id = activity_type.id
    activity.activity_type = activity_type
    activity.duration_minutes = minutes
    activity.course = course
    activity.behaviours = [allowed[behaviour_id] for behaviour_id in chosen_ids]
    activity.reflection_model = model
    activity.reflection = reflection
    activity.manager_may_read = bool(data.manager_may_read)
    if submit:
        activity.status = ActivityStatus.SUBMITTED
        activity.submitted_at = now()

    removed_files = [f.stored_name for f in remove]
    for evidence in remove:
        activity.evidence_files.remove(evidence)
    stored_files: list[str] = []
    try:
        for file in checked:
            stored_name = evidence_files.store(upload_folder, file)
            stored_files.append(stored_name)
            activity.evidence_files.append(EvidenceFile(
                original_name=file.original_name, stored_name=stored_name,
                content_type=file.content_type, size_bytes=len(file.content),
            ))
        db.session.flush()
    except Exception:
        evidence_files.discard(upload_folder, stored_files)
        raise

    record(owner, "activity.created" if created else "activity.changed", person=owner, activity=activity,
           status=activity.status.value, files_added=len(checked), files_removed=len(remove))
    if submit:
        record(owner, "activity.submitted", person=owner, activity=activity,
               line_manager_id=owner.line_manager_id)
    return Saved(activity, submit, stored_files, removed_files)


def withdraw(owner: Person, activity: Activity) -> None:
    """Take a submitted activity back to draft (only while nobody has decided on it)."""
    changed = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.owner_id == owner.id,
               Activity.status == ActivityStatus.SUBMITTED, Activity.deleted_at.is_(None))
        .values(status=ActivityStatus.DRAFT, submitted_at=None, updated_at=now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise NotAllowed("Only an activity that is waiting for sign-off can be withdrawn")
    db.session.refresh(activity)
    record(owner, "activity.withdrawn", person=owner, activity=activity)


def delete(owner: Person, activity: Activity) -> None:
    """Soft delete: the row stays (and the audit trail says who deleted it) but nothing counts it."""
    changed = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.owner_id == owner.id,
               Activity.status != ActivityStatus.SIGNED_OFF, Activity.deleted_at.is_(None))
        .values(deleted_at=now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise NotAllowed("A signed-off activity is part of your record and cannot be deleted")
    db.session.refresh(activity)
    record(owner, "activity.deleted", person=owner, activity=activity, status=activity.status.value)


def note_evidence_download(viewer: Person, file: EvidenceFile) -> bool:
    """Evidence is personal data: a download by anyone but its owner goes in the audit trail."""
    if file.activity.owner_id == viewer.id:
        return False
    record(viewer, "evidence.downloaded", person=file.activity.owner_id, activity=file.activity_id, evidence_id=file.id)
    return True


def dismiss_notice(person: Person, notice: Notice) -> None:
    notice.dismissed_at = now()


# --- what the form starts with ----------------------------------------------------------


@dataclass
class Prefill:
    title: str = ""
    type_id: int | None = None
    hours: str = ""
    minutes: str = ""
    course_id: int | None = None
    behaviour_ids: set[int] = field(default_factory=set)
    first_subjects: tuple[int, ...] = ()


def _codes(raw: str | None, limit: int = 50) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()][:limit]


def prefill(person: Person, *, course: str | None = None, behaviours: str | None = None,
            subjects: str | None = None, activity_type: str | None = None) -> Prefill:
    """Read the links other pages make (?course=, ?behaviours=, ?subjects=, ?type=).
    Anything unknown is ignored: a stale link still opens a usable form."""
    result = Prefill()
    allowed = {b.code: b for b in tier_behaviours(person.tier)}
    for code in _codes(behaviours):
        if code in allowed:
            result.behaviour_ids.add(allowed[code].id)
    result.first_subjects = tuple(int(n) for n in _codes(subjects, 20) if n.isdigit() and len(n) < 6)
    if activity_type:
        found = db.session.scalar(select(ActivityType).where(ActivityType.code == activity_type[:60]))
        result.type_id = found.id if found else None
    course_id = _parse_int(course)
    chosen = db.session.get(Course, course_id) if course_id is not None else None
    if chosen is not None and not chosen.retired:
        result.course_id = chosen.id
        result.title = chosen.title[:MAX_TITLE_LENGTH]
        result.behaviour_ids |= {b.id for b in chosen.behaviours if b.code in allowed and allowed[b.code].id == b.id}
        if chosen.duration_hours:
            whole = int(chosen.duration_hours)
            result.hours = str(whole)
            result.minutes = str(int(round((chosen.duration_hours - whole) * 60)))
        if result.type_id is None:
            code = "workshop_with_practice" if chosen.experiential else ("e_learning" if chosen.format == "e-learning" else None)
            if code:
                found = db.session.scalar(select(ActivityType).where(ActivityType.code == code))
                result.type_id = found.id if found else None
    return result


def activity_types() -> list[ActivityType]:
    """Experiential types first (they count), each group in the vocabulary's order."""
    return list(db.session.scalars(
        select(ActivityType).order_by(ActivityType.experiential.desc(), ActivityType.position, ActivityType.id)
    ))


def catalogue(activity: Activity | None = None) -> list[Course]:
    """Courses to choose from: the live catalogue, plus the activity's own course if since retired."""
    query = select(Course).options(selectinload(Course.behaviours)).order_by(Course.title, Course.id)
    if activity is not None and activity.course_id:
        query = query.where((Course.retired.is_(False)) | (Course.id == activity.course_id))
    else:
        query = query.where(Course.retired.is_(False))
    return list(db.session.scalars(query))
