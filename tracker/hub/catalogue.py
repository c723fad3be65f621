"""The course catalogue: finding courses, and the education leads' adding, editing and retiring."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.appraisal_year import current_year
from tracker.extensions import db
from tracker.framework_import import current_framework
from tracker.framework_years import framework_id_of
from tracker.hub.entries import entry_added, entry_updated
from tracker.hub.links import forget_link_check
from tracker.hub.validation import Problems, clean_text
from tracker.models import Behaviour, Course, course_behaviour

# The words on the screen for the catalogue's stored codes, in the order they are listed.
FORMATS = {"face-to-face": "Face-to-face", "virtual": "Virtual (live online)", "e-learning": "E-learning"}
LEVELS = {"foundation": "Foundation", "intermediate": "Intermediate", "advanced": "Advanced"}

TITLE_MAX = 300


@dataclass
class CatalogueFilters:
    text: str = ""
    formats: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    experiential_only: bool = False
    behaviour_code: str = ""
    include_retired: bool = False
    broken_links_only: bool = False


def _contains(column, text: str):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped.lower()}%", escape="\\")


def catalogue_query(viewer, filters: CatalogueFilters) -> Select:
    """Courses for the catalogue page, filtered, with their behaviours loaded in one more query."""
    query = access.visible_courses(viewer)
    if not filters.include_retired:
        query = query.where(Course.retired.is_(False))
    if filters.text:
        query = query.where(or_(_contains(Course.title, filters.text), _contains(Course.provider, filters.text),
                                _contains(Course.description, filters.text)))
    if filters.formats:
        query = query.where(Course.format.in_(filters.formats))
    if filters.levels:
        query = query.where(Course.level.in_(filters.levels))
    if filters.experiential_only:
        query = query.where(Course.experiential.is_(True))
    if filters.behaviour_code:
        developing = (
            select(course_behaviour.c.course_id)
            .join(Behaviour, Behaviour.id == course_behaviour.c.behaviour_id)
            .where(Behaviour.code == filters.behaviour_code,
                   Behaviour.framework_id == framework_id_of(current_year()))
        )
        query = query.where(Course.id.in_(developing))
    if filters.broken_links_only:
        query = query.where(Course.link_ok.is_(False))
    level_order = case({code: i for i, code in enumerate(LEVELS)}, value=Course.level, else_=len(LEVELS))
    return query.options(selectinload(Course.behaviours)).order_by(
        Course.retired, level_order, Course.title, Course.id
    )


@dataclass
class CourseDetails:
    title: str
    provider: str
    format: str
    level: str
    duration_hours: Decimal | str | None
    url: str
    experiential: bool
    description: str
    behaviour_ids: list[int]


def _course_code(title: str) -> str:
    """A unique code made from the title, for courses added by hand (shipped ones bring their own)."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "course"
    taken = set(db.session.scalars(select(Course.code).where(Course.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _duration_hours(raw, problems: Problems) -> Decimal | None:
    """The typical duration typed in hours, to two decimal places; a message when it is not one."""
    raw = str(raw if raw is not None else "").strip()
    if not raw:
        return None
    try:
        hours = Decimal(raw)
        if not hours.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems["duration_hours"] = "Typical duration must be a number of hours, like 3 or 2.5"
        return None
    if not Decimal("0.25") <= hours <= Decimal("1000"):
        problems["duration_hours"] = "Typical duration must be between 0.25 and 1000 hours"
        return None
    return hours.quantize(Decimal("0.01"))


def _checked_course(details: CourseDetails) -> tuple[CourseDetails, list[Behaviour]]:
    problems = Problems()
    title = problems.text("title", details.title, "Title", TITLE_MAX, missing="Enter the course title")
    provider = problems.text("provider", details.provider, "Provider", TITLE_MAX)
    if details.format not in FORMATS:
        problems["format"] = "Select the format"
    if details.level not in LEVELS:
        problems["level"] = "Select the level"
    hours = _duration_hours(details.duration_hours, problems)
    url = problems.url(details.url, required=False)
    framework = current_framework()
    wanted = set(details.behaviour_ids or [])
    behaviours = []
    if wanted:
        behaviours = list(db.session.scalars(
            select(Behaviour).where(Behaviour.id.in_(wanted),
                                    Behaviour.framework_id == (framework.id if framework else -1))
        ))
        if len(behaviours) != len(wanted):
            problems["behaviours"] = "Select behaviours from the current framework"
    problems.check()
    cleaned = CourseDetails(
        title=title, provider=provider, format=details.format, level=details.level, duration_hours=hours,
        url=url, experiential=bool(details.experiential),
        description=clean_text(details.description), behaviour_ids=sorted(wanted),
    )
    return cleaned, behaviours


def _apply_course(course: Course, details: CourseDetails, behaviours: list[Behaviour]) -> None:
    url_changed = course.url != details.url
    course.title = details.title
    course.provider = details.provider
    course.format = details.format
    course.level = details.level
    course.duration_hours = details.duration_hours
    course.url = details.url
    course.experiential = details.experiential
    course.description = details.description
    # Mappings to older framework versions stay: they are history, not choices on this form.
    framework = current_framework()
    kept = [b for b in course.behaviours if framework is None or b.framework_id != framework.id]
    course.behaviours = kept + behaviours
    if url_changed:
        forget_link_check(course)


def add_course(actor, details: CourseDetails) -> Course:
    details, behaviours = _checked_course(details)
    course = Course(code=_course_code(details.title), behaviours=[])
    _apply_course(course, details, behaviours)
    return entry_added(actor, course)


def update_course(actor, course: Course, details: CourseDetails) -> Course:
    details, behaviours = _checked_course(details)
    _apply_course(course, details, behaviours)
    return entry_updated(actor, course)


def course_details_of(course: Course) -> CourseDetails:
    framework = current_framework()
    return CourseDetails(
        title=course.title, provider=course.provider, format=course.format, level=course.level,
        duration_hours=course.duration_hours, url=course.url, experiential=course.experiential,
        description=course.description,
        behaviour_ids=[b.id for b in course.behaviours if framework is None or b.framework_id == framework.id],
    )
