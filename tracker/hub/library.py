"""The resource library: reading grouped by guidance section, and the education leads' editing."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select

from tracker import access
from tracker.hub.entries import entry_added, entry_updated
from tracker.hub.links import forget_link_check
from tracker.hub.sections import SECTION_TITLES, SectionText, section_row, shipped_sections
from tracker.hub.validation import Problems
from tracker.models import Resource

# The words on the screen for the library's stored audience codes, in the order they are listed.
AUDIENCES = {
    "everyone": "Everyone",
    "patient-facing": "Staff who work with patients",
    "managers": "Managers and leaders",
    "educators": "Educators and trainers",
}

TITLE_MAX = 300
SUMMARY_MAX = 2000


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
    problems = Problems()
    title = problems.text("title", details.title, "Title", TITLE_MAX, missing="Enter the title")
    publisher = problems.text("publisher", details.publisher, "Publisher", TITLE_MAX)
    if details.section not in SECTION_TITLES:
        problems["section"] = "Select the section it belongs to"
    if details.audience not in AUDIENCES:
        problems["audience"] = "Select who it is for"
    summary = problems.text("summary", details.summary, "Summary", SUMMARY_MAX)
    url = problems.url(details.url)
    problems.check()
    return ResourceDetails(title=title, publisher=publisher, section=details.section, audience=details.audience,
                           summary=summary, url=url)


def _apply_resource(resource: Resource, details: ResourceDetails) -> None:
    if resource.url != details.url:
        forget_link_check(resource)
    # Resources point at a section row; one is made from the shipped text if nobody has saved one.
    section_row(details.section)
    resource.title = details.title
    resource.publisher = details.publisher
    resource.section_slug = details.section
    resource.audience = details.audience
    resource.summary = details.summary
    resource.url = details.url


def add_resource(actor, details: ResourceDetails) -> Resource:
    details = _checked_resource(details)
    resource = Resource(url="")
    _apply_resource(resource, details)
    return entry_added(actor, resource)


def update_resource(actor, resource: Resource, details: ResourceDetails) -> Resource:
    details = _checked_resource(details)
    _apply_resource(resource, details)
    return entry_updated(actor, resource)


def resource_details_of(resource: Resource) -> ResourceDetails:
    return ResourceDetails(title=resource.title, publisher=resource.publisher, section=resource.section_slug,
                           audience=resource.audience, summary=resource.summary, url=resource.url)
