"""Checking what the activity form sent, before anything is written.

Every field is checked and every problem is reported at once. Refusals are keyed by the
activity form's field names (the date and the duration by their first input, where the page
shows their message), so the view shows them with views.commit_or_show_errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.date_input import parse_date_parts
from tracker.durations import duration_text
from tracker.extensions import db
from tracker.models import Activity, ActivityType, Behaviour, Course, EvidenceFile, Person, ReflectionModel
from tracker.portfolio import evidence as evidence_files
from tracker.portfolio.behaviours import allowed_behaviours
from tracker.portfolio.nhs_number import contains_nhs_number
from tracker.portfolio.reflection import MAX_ANSWER_LENGTH, MODELS, field_name
from tracker.year_closing import open_years
from tracker.refusal import Refused
from tracker.templating import long_date

MAX_TITLE_LENGTH = 200
MAX_HOURS = 99
# Longer than a shift: more often a typing slip (14 for 1.4) than a real activity, so asked about.
LONG_ACTIVITY_MINUTES = 12 * 60
NHS_NUMBER_MESSAGE = "Remove the NHS number: reflections must not identify patients"
NHS_NUMBER_IN_FILE_NAME = "Rename the file: file names must not identify patients"
DATE_FIELD = "occurred_on_day"
DURATION_FIELD = "duration_hours"


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
    # The minutes the person said "Yes, it is right" to; any other duration is asked about again.
    duration_confirmed: str = ""
    # The new-activity form's random key: the same form sent twice creates one activity.
    creation_key: str = ""


@dataclass
class CheckedActivity:
    """The form's values once every one has been checked: safe to write."""

    occurred_on: date | None
    title: str
    activity_type: ActivityType
    minutes: int
    course: Course | None
    behaviours: list[Behaviour]
    reflection_model: ReflectionModel | None
    reflection: dict[str, str]
    manager_may_read: bool
    remove: list[EvidenceFile]
    files: list[evidence_files.CheckedFile]


CREATION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def creation_key(raw: str | None) -> str | None:
    """The form's creation key when it is one this app could have made, else None (no key: an
    older page, or a hand-made request, which then creates as it always did)."""
    raw = (raw or "").strip()
    return raw if CREATION_KEY.fullmatch(raw) else None


def whole_number(raw: str | None) -> int | None:
    """A typed whole number (ASCII digits only, at most nine), else None."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 9 or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def check_activity(owner: Person, activity: Activity | None, data: ActivityInput, *, submit: bool,
                   today: date) -> CheckedActivity:
    """The checked values of a new (activity=None) or changed activity. A submission must be
    complete; a draft may leave out what a submission needs. Raises Refused with every problem."""
    errors: dict[str, str] = {}

    occurred_on = _check_date(data, today, errors)
    title = _check_text("title", data.title, "Title", MAX_TITLE_LENGTH, "Enter a title for the activity", errors)

    type_id = whole_number(data.type_id)
    activity_type = db.session.get(ActivityType, type_id) if type_id is not None else None
    if activity_type is None:
        errors["type_id"] = "Select the type of activity"

    minutes = _check_duration(data, submit, errors)
    if DURATION_FIELD not in errors and needs_confirming(minutes, activity, data.duration_confirmed):
        errors[DURATION_FIELD] = long_duration_question(minutes)
    course = _check_course(activity, data, errors)
    behaviours = _check_behaviours(owner, activity, data, submit, errors)
    model, reflection = _check_reflection(data, submit, errors)
    remove, files = _check_evidence(activity, data, errors)

    if errors:
        raise Refused(errors)
    return CheckedActivity(
        occurred_on=occurred_on, title=title, activity_type=activity_type, minutes=minutes, course=course,
        behaviours=behaviours, reflection_model=model, reflection=reflection,
        manager_may_read=bool(data.manager_may_read), remove=remove, files=files,
    )


def _check_date(data: ActivityInput, today: date, errors: dict) -> date | None:
    occurred_on, message = parse_date_parts(data.day, data.month, data.year, "Date of the activity")
    if occurred_on is None:
        errors[DATE_FIELD] = message or "Enter the date of the activity"
        return None
    if occurred_on > today:
        errors[DATE_FIELD] = "Date of the activity must be today or in the past"
        return None
    years = open_years(today)
    if not any(y.contains(occurred_on) for y in years):
        errors[DATE_FIELD] = (
            f"Date of the activity must be on or after {long_date(years[0].starts_on)}: "
            "earlier appraisal years are closed"
        )
        return None
    return occurred_on


def _check_duration(data: ActivityInput, submit: bool, errors: dict) -> int:
    hours_raw, minutes_raw = data.hours.strip(), data.minutes.strip()
    hours = whole_number(hours_raw) if hours_raw else 0
    minutes = whole_number(minutes_raw) if minutes_raw else 0
    if hours is None or minutes is None:
        errors[DURATION_FIELD] = "Duration must be whole hours and minutes, for example 1 hour 30 minutes"
        return 0
    if minutes > 59:
        errors[DURATION_FIELD] = "Minutes must be between 0 and 59"
        return 0
    if hours > MAX_HOURS:
        errors[DURATION_FIELD] = f"Duration must be {MAX_HOURS} hours or less"
        return 0
    total = hours * 60 + minutes
    if submit and total == 0:
        errors[DURATION_FIELD] = "Enter how long the activity took"
    return total


def typed_minutes(hours: str | None, minutes: str | None) -> int | None:
    """The duration the two boxes hold, in minutes, or None when they do not hold whole numbers."""
    hours_value = whole_number(hours) if (hours or "").strip() else 0
    minutes_value = whole_number(minutes) if (minutes or "").strip() else 0
    if hours_value is None or minutes_value is None:
        return None
    return hours_value * 60 + minutes_value


def needs_confirming(minutes: int, activity: Activity | None, confirmed: str) -> bool:
    """A long duration is saved once the person has confirmed exactly it (or it is already saved)."""
    if minutes <= LONG_ACTIVITY_MINUTES:
        return False
    if activity is not None and activity.duration_minutes == minutes:
        return False
    return (confirmed or "").strip() != str(minutes)


def long_duration_question(minutes: int) -> str:
    return f"You entered {duration_text(minutes)} for one activity. Is that right?"


def _check_text(key: str, text: str, label: str, max_length: int, required_message: str | None,
                errors: dict) -> str:
    text = (text or "").strip()
    if contains_nhs_number(text):
        errors[key] = NHS_NUMBER_MESSAGE
    elif len(text) > max_length:
        errors[key] = f"{label} must be {max_length:,} characters or fewer"
    elif required_message and not text:
        errors[key] = required_message
    return text


def _check_course(activity: Activity | None, data: ActivityInput, errors: dict) -> Course | None:
    if not data.course_id.strip():
        return None
    course_id = whole_number(data.course_id)
    course = db.session.get(Course, course_id) if course_id is not None else None
    keeps_old_course = activity is not None and course is not None and course.id == activity.course_id
    if course is None or (course.retired and not keeps_old_course):
        errors["course_id"] = "Select a course from the list, or choose that it was not a catalogue course"
        return None
    return course


def _check_behaviours(owner: Person, activity: Activity | None, data: ActivityInput, submit: bool,
                      errors: dict) -> list[Behaviour]:
    allowed = {b.id: b for b in allowed_behaviours(owner, activity)}
    chosen_ids = [whole_number(raw) for raw in dict.fromkeys(data.behaviour_ids)]
    if any(behaviour_id not in allowed for behaviour_id in chosen_ids):
        errors["behaviour_ids"] = "Select behaviours from the list for your tier"
        return []
    if submit and not chosen_ids:
        errors["behaviour_ids"] = "Select at least one behaviour that this activity shows"
    return [allowed[behaviour_id] for behaviour_id in chosen_ids]


def _check_reflection(data: ActivityInput, submit: bool, errors: dict) -> tuple[ReflectionModel | None, dict]:
    """The chosen model and its answers, by prompt key; the other models' answers are dropped."""
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
                f"Answer ‘{prompt.label}’" if submit else None, errors,
            )
            if text:
                reflection[prompt.key] = text
    return model, reflection


def _check_evidence(activity: Activity | None, data: ActivityInput,
                    errors: dict) -> tuple[list[EvidenceFile], list[evidence_files.CheckedFile]]:
    """(files to remove, new files to store); the first problem found is the one reported."""
    existing = {f.id: f for f in (activity.evidence_files if activity is not None else [])}
    remove = []
    for raw in data.remove_evidence_ids:
        evidence_id = whole_number(raw)
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
        except Refused as refused:
            errors.update(refused.errors)
            return [], []
    if len(existing) - len(set(f.id for f in remove)) + len(checked) > evidence_files.MAX_FILES_PER_ACTIVITY:
        errors["evidence"] = (
            f"You can attach up to {evidence_files.MAX_FILES_PER_ACTIVITY} files to an activity"
            + (": remove one before adding another" if existing else "")
        )
        return [], []
    return remove, checked
