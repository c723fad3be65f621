"""What the activity form offers and starts with: the activity types, the course catalogue, and
what a link from another page (a course, a suggestion) fills in."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import Activity, ActivityType, Course, Person
from tracker.portfolio.activity_input import MAX_TITLE_LENGTH, whole_number
from tracker.portfolio.behaviours import tier_behaviours


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


def _type_with_code(code: str) -> int | None:
    found = db.session.scalar(select(ActivityType).where(ActivityType.code == code[:60]))
    return found.id if found else None


def prefill(person: Person, *, course: str | None = None, behaviours: str | None = None,
            subjects: str | None = None, activity_type: str | None = None) -> Prefill:
    """Read the links other pages make (?course=, ?behaviours=, ?subjects=, ?type=).
    Anything unknown is ignored: a stale link still opens a usable form."""
    result = Prefill()
    allowed = {b.code: b for b in tier_behaviours(person.tier)}
    for code in _codes(behaviours):
        if code in allowed:
            result.behaviour_ids.add(allowed[code].id)
    result.first_subjects = tuple(int(n) for n in _codes(subjects, 20) if record_id(n) is not None and len(n) < 6)
    if activity_type:
        result.type_id = _type_with_code(activity_type)
    course_id = whole_number(course)
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
                result.type_id = _type_with_code(code)
    return result
