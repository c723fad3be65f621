"""The hub's logic: guidance sections, the course catalogue and the resource library.

Nothing here knows about requests. Writing functions validate, write and add the audit
entry; the view commits once. Reading functions return queries or plain values.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import Select, case, distinct, func, or_, select
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.refusal import Refused
from tracker.appraisal_year import AppraisalYear
from tracker.audit import record
from tracker.extensions import db
from tracker.framework_import import current_framework
from tracker.models import (
    Activity,
    Behaviour,
    BehaviourTier,
    Course,
    Domain,
    Framework,
    HubSection,
    Resource,
    Subject,
    activity_behaviour,
    course_behaviour,
)
from tracker.reference import DATA_DIR

# The words on the screen for the catalogue's and library's stored codes.
FORMATS = {"face-to-face": "Face-to-face", "virtual": "Virtual (live online)", "e-learning": "E-learning"}
LEVELS = {"foundation": "Foundation", "intermediate": "Intermediate", "advanced": "Advanced"}
AUDIENCES = {
    "everyone": "Everyone",
    "patient-facing": "Staff who work with patients",
    "managers": "Managers and leaders",
    "educators": "Educators and trainers",
}

# Framework subjects (by number) that each section's "log an activity" link opens first.
SECTION_SUBJECTS = {"patient": (1, 2, 3, 4, 5), "staff": (2, 6, 7)}

SUMMARY_MAX = 300
BODY_MAX = 20000
URL_MAX = 1000


class HubError(Refused):
    """Input the hub refuses: a message per form field, all found at once."""


def clean_text(value: str | None) -> str:
    """Free text as typed, trimmed, without NUL characters (PostgreSQL refuses them)."""
    return (value or "").replace("\x00", "").strip()


class _Problems(dict):
    """Collects one message per field, then raises them together."""

    def text(self, name: str, value: str | None, label: str, max_length: int, *, missing: str = "") -> str:
        """The text cleaned; a message for the field when it is empty (if `missing` says one) or too long."""
        value = clean_text(value)
        if missing and not value:
            self[name] = missing
        elif len(value) > max_length:
            self[name] = f"{label} must be {max_length:,} characters or fewer"
        return value

    def url(self, value: str | None, *, required: bool = True) -> str:
        """The web address trimmed; a message for the "url" field when it is not one we accept."""
        problem = url_problem(value, required=required)
        if problem:
            self["url"] = problem
        return (value or "").strip()

    def check(self) -> None:
        if self:
            raise HubError(dict(self))


# --- web addresses ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def url_problem(value: str | None, *, required: bool = True) -> str | None:
    """What is wrong with a web address, or None. Only absolute http and https addresses pass:
    no javascript:, data: or other schemes, no relative paths, no spaces."""
    url = (value or "").strip()
    if not url:
        return "Enter a web address" if required else None
    if len(url) > URL_MAX:
        return f"Web address must be {URL_MAX} characters or fewer"
    if _CONTROL.search(url):
        return "Web address must not contain spaces"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "Enter a real web address, like https://www.example.org/page"
    if parts.scheme.lower() not in ("http", "https"):
        return "Web address must start with https:// or http://"
    if not hostname or ("." not in hostname and hostname != "localhost"):
        return "Enter a real web address, like https://www.example.org/page"
    return None


def clean_url(value: str | None, *, required: bool = True) -> str:
    problem = url_problem(value, required=required)
    if problem:
        raise HubError({"url": problem})
    return (value or "").strip()


# --- guidance sections ------------------------------------------------------------------


@dataclass(frozen=True)
class SectionText:
    """A section as shipped in tracker/data, used until an education lead saves their own."""

    slug: str
    title: str
    position: int
    summary: str
    body_markdown: str
    updated_at: None = None


@lru_cache(maxsize=1)
def shipped_sections() -> tuple[SectionText, ...]:
    index = json.loads((DATA_DIR / "hub_sections.json").read_text(encoding="utf-8"))
    return tuple(
        SectionText(
            slug=item["slug"], title=item["title"], position=position, summary=item["summary"],
            body_markdown=(DATA_DIR / item["file"]).read_text(encoding="utf-8"),
        )
        for position, item in enumerate(index["sections"])
    )


SECTION_TITLES = {s.slug: s.title for s in shipped_sections()}


def sections() -> list[HubSection | SectionText]:
    """The six sections in circle order: saved text where there is some, shipped text otherwise."""
    saved = {row.slug: row for row in db.session.scalars(select(HubSection))}
    return [saved.get(s.slug, s) for s in shipped_sections()]


def section(slug: str) -> HubSection | SectionText | None:
    if slug not in SECTION_TITLES:
        return None
    saved = db.session.get(HubSection, slug)
    return saved or next(s for s in shipped_sections() if s.slug == slug)


def neighbours(slug: str) -> tuple[SectionText | None, SectionText | None]:
    """The sections before and after this one going round the circle."""
    order = shipped_sections()
    i = next(i for i, s in enumerate(order) if s.slug == slug)
    return (order[i - 1] if i > 0 else None, order[i + 1] if i + 1 < len(order) else None)


def save_section(actor, slug: str, summary: str, body_markdown: str) -> HubSection:
    """An education lead's new text for a section. Its title is fixed."""
    if slug not in SECTION_TITLES:
        raise HubError({"body": "There is no such section"})
    problems = _Problems()
    summary = problems.text("summary", summary, "Summary", SUMMARY_MAX, missing="Enter a summary")
    body_markdown = problems.text("body", clean_text(body_markdown).replace("\r\n", "\n"), "Text", BODY_MAX,
                                  missing="Enter the text of the page")
    problems.check()
    row = db.session.get(HubSection, slug)
    if row is None:
        shipped = next(s for s in shipped_sections() if s.slug == slug)
        row = HubSection(slug=slug, title=shipped.title, position=shipped.position)
        db.session.add(row)
    row.summary = summary
    row.body_markdown = body_markdown
    row.updated_by_id = actor.id
    db.session.flush()
    record(actor, "hub.section_saved", section=slug)
    return row


def section_subjects(slug: str, tier: int | None) -> list[int]:
    """Subject numbers to open first when logging an activity from this section.

    For a signed-in person, only subjects with behaviours at their tier; all of them otherwise."""
    numbers = SECTION_SUBJECTS.get(slug, ())
    if not numbers or tier is None:
        return list(numbers)
    framework = current_framework()
    if framework is None:
        return list(numbers)
    at_tier = set(db.session.scalars(
        select(distinct(Subject.number))
        .join(Behaviour, Behaviour.subject_id == Subject.id)
        .join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
        .where(Behaviour.framework_id == framework.id, BehaviourTier.tier == tier,
               Subject.number.in_(numbers))
    ))
    return [n for n in numbers if n in at_tier] or list(numbers)


# --- the framework browser ----------------------------------------------------------------


def framework_outline() -> Framework | None:
    """The current framework with its domains, subjects and behaviours loaded (a fixed number of queries)."""
    return db.session.scalar(
        select(Framework).where(Framework.is_current.is_(True)).options(
            selectinload(Framework.domains).selectinload(Domain.subjects).selectinload(Subject.behaviours)
        )
    )


def course_counts_by_behaviour(viewer) -> dict[int, int]:
    """How many courses the viewer can see develop each behaviour (one GROUP BY)."""
    courses = access.visible_courses(viewer).where(Course.retired.is_(False)).with_only_columns(Course.id)
    rows = db.session.execute(
        select(course_behaviour.c.behaviour_id, func.count())
        .where(course_behaviour.c.course_id.in_(courses))
        .group_by(course_behaviour.c.behaviour_id)
    )
    return dict(rows.all())


def evidenced_behaviour_ids(person, year: AppraisalYear) -> set[int]:
    """Behaviours in the person's own activities this appraisal year, whatever their status."""
    own = access.own_activities(person).with_only_columns(Activity.id).where(
        Activity.occurred_on >= year.starts_on, Activity.occurred_on <= year.ends_on
    )
    return set(db.session.scalars(
        select(distinct(activity_behaviour.c.behaviour_id)).where(activity_behaviour.c.activity_id.in_(own))
    ))


def current_behaviour_choices() -> list[tuple[Subject, list[Behaviour]]]:
    """The current framework's behaviours grouped by subject, in framework order."""
    framework = framework_outline()
    if framework is None:
        return []
    return [(subject, list(subject.behaviours)) for d in framework.domains for subject in d.subjects]


# --- the course catalogue -----------------------------------------------------------------


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
            .join(Framework, Framework.id == Behaviour.framework_id)
            .where(Behaviour.code == filters.behaviour_code, Framework.is_current.is_(True))
        )
        query = query.where(Course.id.in_(developing))
    if filters.broken_links_only:
        query = query.where(Course.link_ok.is_(False))
    level_order = case({code: i for i, code in enumerate(LEVELS)}, value=Course.level, else_=len(LEVELS))
    return query.options(selectinload(Course.behaviours)).order_by(
        Course.retired, level_order, Course.title, Course.id
    )


def behaviour_by_code(code: str) -> Behaviour | None:
    framework = current_framework()
    if framework is None or not code:
        return None
    return db.session.scalar(select(Behaviour).where(Behaviour.framework_id == framework.id, Behaviour.code == code))


def broken_link_count(model) -> int:
    """How many live rows of the catalogue or library failed their last link check."""
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.retired.is_(False), model.link_ok.is_(False))
    ) or 0


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


def _course_slug(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "course"
    taken = set(db.session.scalars(select(Course.code).where(Course.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _checked_course(details: CourseDetails) -> tuple[CourseDetails, list[Behaviour]]:
    problems = _Problems()
    title = problems.text("title", details.title, "Title", 300, missing="Enter the course title")
    provider = problems.text("provider", details.provider, "Provider", 300)
    if details.format not in FORMATS:
        problems["format"] = "Select the format"
    if details.level not in LEVELS:
        problems["level"] = "Select the level"
    hours = None
    raw_hours = str(details.duration_hours if details.duration_hours is not None else "").strip()
    if raw_hours:
        try:
            hours = Decimal(raw_hours)
            if not hours.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems["duration_hours"] = "Typical duration must be a number of hours, like 3 or 2.5"
        else:
            if not Decimal("0.25") <= hours <= Decimal("1000"):
                problems["duration_hours"] = "Typical duration must be between 0.25 and 1000 hours"
                hours = None
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
        title=title, provider=provider, format=details.format, level=details.level,
        duration_hours=hours.quantize(Decimal("0.01")) if hours is not None else None,
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
        _forget_link_check(course)


def _forget_link_check(row) -> None:
    row.link_status = row.link_ok = row.link_final_url = row.link_error = row.link_checked_at = None


def add_course(actor, details: CourseDetails) -> Course:
    details, behaviours = _checked_course(details)
    course = Course(code=_course_slug(details.title), behaviours=[])
    _apply_course(course, details, behaviours)
    db.session.add(course)
    db.session.flush()
    record(actor, "catalogue.course_added", course_id=course.id, title=course.title)
    return course


def update_course(actor, course: Course, details: CourseDetails) -> Course:
    details, behaviours = _checked_course(details)
    _apply_course(course, details, behaviours)
    db.session.flush()
    record(actor, "catalogue.course_updated", course_id=course.id, title=course.title)
    return course


def set_course_retired(actor, course: Course, retired: bool) -> Course:
    course.retired = retired
    db.session.flush()
    record(actor, "catalogue.course_retired" if retired else "catalogue.course_restored", course_id=course.id)
    return course


def course_details_of(course: Course) -> CourseDetails:
    framework = current_framework()
    return CourseDetails(
        title=course.title, provider=course.provider, format=course.format, level=course.level,
        duration_hours=course.duration_hours, url=course.url, experiential=course.experiential,
        description=course.description,
        behaviour_ids=[b.id for b in course.behaviours if framework is None or b.framework_id == framework.id],
    )


def describe_duration(hours: Decimal | None) -> str:
    """3 -> "3 hours"; 2.75 -> "2 hours 45 minutes"; None -> "Not stated"."""
    if hours is None:
        return "Not stated"
    minutes = int(round(Decimal(hours) * 60))
    whole, rest = divmod(minutes, 60)
    parts = []
    if whole:
        parts.append(f"{whole} hour{'s' if whole != 1 else ''}")
    if rest:
        parts.append(f"{rest} minutes")
    return " ".join(parts) or "Not stated"


# --- the resource library -----------------------------------------------------------------


@dataclass
class LibraryFilters:
    section: str = ""
    audience: str = ""
    include_retired: bool = False
    broken_links_only: bool = False


def library_query(viewer, filters: LibraryFilters) -> Select:
    query = access.visible_resources(viewer)
    if not filters.include_retired:
        query = query.where(Resource.retired.is_(False))
    if filters.section:
        query = query.where(Resource.section_slug == filters.section)
    if filters.audience:
        query = query.where(Resource.audience == filters.audience)
    if filters.broken_links_only:
        query = query.where(Resource.link_ok.is_(False))
    return query.order_by(Resource.retired, Resource.title, Resource.id)


def library_by_section(resources: list[Resource]) -> list[tuple[SectionText, list[Resource]]]:
    """Resources grouped under their section, in circle order, leaving out empty sections."""
    grouped = []
    for shipped in shipped_sections():
        rows = [r for r in resources if r.section_slug == shipped.slug]
        if rows:
            grouped.append((shipped, rows))
    return grouped


@dataclass
class ResourceDetails:
    title: str
    publisher: str
    section: str
    audience: str
    summary: str
    url: str


def _checked_resource(details: ResourceDetails) -> ResourceDetails:
    problems = _Problems()
    title = problems.text("title", details.title, "Title", 300, missing="Enter the title")
    publisher = problems.text("publisher", details.publisher, "Publisher", 300)
    if details.section not in SECTION_TITLES:
        problems["section"] = "Select the section it belongs to"
    if details.audience not in AUDIENCES:
        problems["audience"] = "Select who it is for"
    summary = problems.text("summary", details.summary, "Summary", 2000)
    url = problems.url(details.url)
    problems.check()
    return ResourceDetails(title=title, publisher=publisher, section=details.section, audience=details.audience,
                           summary=summary, url=url)


def _ensure_section_row(slug: str) -> None:
    # Resources point at a section row; create it from the shipped text if nobody has saved one.
    if db.session.get(HubSection, slug) is None:
        shipped = next(s for s in shipped_sections() if s.slug == slug)
        db.session.add(HubSection(slug=slug, title=shipped.title, position=shipped.position,
                                  summary=shipped.summary, body_markdown=shipped.body_markdown))
        db.session.flush()


def _apply_resource(resource: Resource, details: ResourceDetails) -> None:
    if resource.url != details.url:
        _forget_link_check(resource)
    resource.title = details.title
    resource.publisher = details.publisher
    resource.section_slug = details.section
    resource.audience = details.audience
    resource.summary = details.summary
    resource.url = details.url


def add_resource(actor, details: ResourceDetails) -> Resource:
    details = _checked_resource(details)
    _ensure_section_row(details.section)
    resource = Resource(url="")
    _apply_resource(resource, details)
    db.session.add(resource)
    db.session.flush()
    record(actor, "library.resource_added", resource_id=resource.id, title=resource.title)
    return resource


def update_resource(actor, resource: Resource, details: ResourceDetails) -> Resource:
    details = _checked_resource(details)
    _ensure_section_row(details.section)
    _apply_resource(resource, details)
    db.session.flush()
    record(actor, "library.resource_updated", resource_id=resource.id, title=resource.title)
    return resource


def set_resource_retired(actor, resource: Resource, retired: bool) -> Resource:
    resource.retired = retired
    db.session.flush()
    record(actor, "library.resource_retired" if retired else "library.resource_restored", resource_id=resource.id)
    return resource


def resource_details_of(resource: Resource) -> ResourceDetails:
    return ResourceDetails(title=resource.title, publisher=resource.publisher, section=resource.section_slug,
                           audience=resource.audience, summary=resource.summary, url=resource.url)


# --- tiers and the annual requirement, in words ---------------------------------------------

TIER_DESCRIPTIONS = {
    1: "everyone",
    2: "people who have regular contact with patients or the public",
    3: "people with high autonomy, specialists and leaders",
}


def describe_rule(rule) -> list[str]:
    """A tier's annual requirement as short phrases, e.g. "at least 3 hours in all"."""
    n = rule.min_experiential_activities
    parts = [f"{n} experiential {'activity' if n == 1 else 'activities'}"]
    if rule.min_hours:
        hours = f"{Decimal(rule.min_hours).normalize():f}"
        parts.append(f"at least {hours} {'hour' if hours == '1' else 'hours'} in all")
    n = rule.min_behaviours
    behaviours = f"covering at least {n} {'behaviour' if n == 1 else 'behaviours'}"
    if rule.needs_leadership_behaviour:
        behaviours += ", one of them from a leadership subject"
    parts.append(behaviours)
    return parts


def behaviours_at_tier(outline: Framework, tier: int | None):
    """(domains with their subjects and the behaviours that apply at the tier, subjects left out).

    Every behaviour when tier is None."""
    shown, left_out = [], []
    for domain in outline.domains:
        subjects = []
        for subject in domain.subjects:
            behaviours = [b for b in subject.behaviours if tier is None or tier in b.tiers]
            if behaviours:
                subjects.append((subject, behaviours))
            else:
                left_out.append(subject)
        if subjects:
            shown.append((domain, subjects))
    return shown, left_out
