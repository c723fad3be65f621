"""The six guidance sections round the patient: shipped text until an education lead saves their own."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import distinct, select

from tracker.audit import record
from tracker.extensions import db
from tracker.framework_import import current_framework
from tracker.hub.validation import Problems, clean_text
from tracker.models import Behaviour, BehaviourTier, HubSection, Subject
from tracker.refusal import Refused
from tracker.shipped import shipped_json, shipped_text

# Framework subjects (by number) that each section's "log an activity" link opens first.
SECTION_SUBJECTS = {"patient": (1, 2, 3, 4, 5), "staff": (2, 6, 7)}

SUMMARY_MAX = 300
BODY_MAX = 20000


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
    return tuple(
        SectionText(
            slug=item["slug"], title=item["title"], position=position, summary=item["summary"],
            body_markdown=shipped_text(item["file"]),
        )
        for position, item in enumerate(shipped_json("hub_sections.json")["sections"])
    )


@lru_cache(maxsize=1)
def shipped_service_pages() -> tuple[SectionText, ...]:
    """The pages every NHS service has (accessibility, privacy, cookies, help): kept and edited
    like the hub's sections, shown outside the hub and to everyone, signed in or not."""
    return tuple(
        SectionText(slug=item["slug"], title=item["title"], position=position, summary=item["summary"],
                    body_markdown=shipped_text(item["file"]))
        for position, item in enumerate(shipped_json("service_pages.json")["pages"])
    )


SECTION_TITLES = {s.slug: s.title for s in shipped_sections()}
SERVICE_PAGE_TITLES = {s.slug: s.title for s in shipped_service_pages()}
EDITABLE_TITLES = {**SECTION_TITLES, **SERVICE_PAGE_TITLES}


def _shipped(slug: str) -> SectionText:
    return next(s for s in shipped_sections() + shipped_service_pages() if s.slug == slug)


def all_sections() -> list[HubSection | SectionText]:
    """The six sections in circle order: saved text where there is some, shipped text otherwise."""
    saved = {row.slug: row for row in db.session.scalars(select(HubSection))}
    return [saved.get(s.slug, s) for s in shipped_sections()]


def find_section(slug: str) -> HubSection | SectionText | None:
    """A hub section or a service page: the saved text, else the shipped one."""
    if slug not in EDITABLE_TITLES:
        return None
    return db.session.get(HubSection, slug) or _shipped(slug)


def neighbours(slug: str) -> tuple[SectionText | None, SectionText | None]:
    """The sections before and after this one going round the circle."""
    order = shipped_sections()
    i = next(i for i, s in enumerate(order) if s.slug == slug)
    return (order[i - 1] if i > 0 else None, order[i + 1] if i + 1 < len(order) else None)


def section_row(slug: str) -> HubSection:
    """The section's saved row, made from the shipped text first if nobody has saved one."""
    row = db.session.get(HubSection, slug)
    if row is None:
        shipped = _shipped(slug)
        row = HubSection(slug=slug, title=shipped.title, position=shipped.position,
                         summary=shipped.summary, body_markdown=shipped.body_markdown)
        db.session.add(row)
        db.session.flush()
    return row


def save_section(actor, slug: str, summary: str, body_markdown: str) -> HubSection:
    """An education lead's new text for a section or service page. Its title is fixed."""
    if slug not in EDITABLE_TITLES:
        raise Refused({"body": "There is no such section"})
    problems = Problems()
    summary = problems.text("summary", summary, "Summary", SUMMARY_MAX, missing="Enter a summary")
    body_markdown = problems.text("body", clean_text(body_markdown).replace("\r\n", "\n"), "Text", BODY_MAX,
                                  missing="Enter the text of the page")
    problems.check()
    row = section_row(slug)
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
