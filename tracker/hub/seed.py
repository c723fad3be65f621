"""Load the hub's shipped guidance sections and starter resource library. Idempotent."""
from __future__ import annotations

import json

from sqlalchemy import select

from tracker.extensions import db
from tracker.hub.services import AUDIENCES, SECTION_TITLES, clean_url, shipped_sections
from tracker.models import HubSection, Resource
from tracker.reference import DATA_DIR


def load_hub_content() -> tuple[int, int]:
    """Add any missing section and any resource whose address is not in the library yet.

    Returns (sections added, resources added). Text an education lead has saved is never
    overwritten, and a resource they retired stays retired. The caller commits."""
    saved = set(db.session.scalars(select(HubSection.slug)))
    sections_added = 0
    for shipped in shipped_sections():
        if shipped.slug in saved:
            continue
        db.session.add(HubSection(slug=shipped.slug, title=shipped.title, position=shipped.position,
                                  summary=shipped.summary, body_markdown=shipped.body_markdown))
        sections_added += 1
    db.session.flush()

    known = set(db.session.scalars(select(Resource.url)))
    items = json.loads((DATA_DIR / "resources.json").read_text(encoding="utf-8"))["resources"]
    resources_added = 0
    for item in items:
        url = clean_url(item["url"])
        if url in known or item["section"] not in SECTION_TITLES or item["audience"] not in AUDIENCES:
            continue
        db.session.add(Resource(title=item["title"], publisher=item.get("publisher", ""),
                                section_slug=item["section"], audience=item["audience"],
                                summary=item.get("summary", ""), url=url))
        known.add(url)
        resources_added += 1
    db.session.flush()
    return sections_added, resources_added
