"""Load the hub's shipped guidance sections and starter resource library. Idempotent."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.hub.library import AUDIENCES
from tracker.hub.sections import SECTION_TITLES, section_row, shipped_sections
from tracker.hub.urls import clean_url
from tracker.models import HubSection, Resource
from tracker.shipped import shipped_json


def load_hub_content() -> tuple[int, int]:
    """Add any missing section and any resource whose address is not in the library yet.

    Returns (sections added, resources added). Text an education lead has saved is never
    overwritten, and a resource they retired stays retired. The caller commits."""
    saved = set(db.session.scalars(select(HubSection.slug)))
    missing = [s.slug for s in shipped_sections() if s.slug not in saved]
    for slug in missing:
        section_row(slug)

    known = set(db.session.scalars(select(Resource.url)))
    resources_added = 0
    for item in shipped_json("resources.json")["resources"]:
        url = clean_url(item["url"])
        if url in known or item["section"] not in SECTION_TITLES or item["audience"] not in AUDIENCES:
            continue
        db.session.add(Resource(title=item["title"], publisher=item.get("publisher", ""),
                                section_slug=item["section"], audience=item["audience"],
                                summary=item.get("summary", ""), url=url))
        known.add(url)
        resources_added += 1
    db.session.flush()
    return len(missing), resources_added
