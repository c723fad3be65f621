"""The reference data every organisation starts with, shipped in tracker/data/."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tracker.extensions import db
from tracker.framework_import import current_framework, import_framework, read_file
from tracker.hub.seed import load_hub_content
from tracker.models import DEFAULT_RULES, FROM_THE_START, ActivityType, Behaviour, Course, RequirementRule
from tracker.shipped import DATA_DIR, shipped_json

DEFAULT_FRAMEWORK_FILE = DATA_DIR / "framework-pca.json"


def load_activity_types() -> int:
    known = set(db.session.scalars(select(ActivityType.code)))
    added = 0
    for position, item in enumerate(shipped_json("activity_types.json")["activity_types"]):
        if item["code"] in known:
            continue
        db.session.add(ActivityType(
            code=item["code"], label=item["label"], experiential=item["experiential"],
            description=item.get("description", ""), position=position,
        ))
        added += 1
    return added


def load_courses() -> int:
    """Seed the catalogue, mapping each course to behaviours of the current framework."""
    framework = current_framework()
    by_code = {}
    if framework is not None:
        by_code = {b.code: b for b in db.session.scalars(select(Behaviour).where(Behaviour.framework_id == framework.id))}
    known = set(db.session.scalars(select(Course.code)))
    added = 0
    for item in shipped_json("courses.json")["courses"]:
        if item["code"] in known:
            continue
        hours = item.get("duration_hours")
        db.session.add(Course(
            code=item["code"], title=item["title"], provider=item.get("provider", ""),
            format=item["format"], level=item["level"],
            duration_hours=Decimal(str(hours)) if hours is not None else None,
            url=item.get("url", ""), experiential=bool(item.get("experiential")),
            description=item.get("description", ""),
            behaviours=[by_code[c] for c in item.get("behaviours", []) if c in by_code],
        ))
        added += 1
    return added


def load_default_rules() -> int:
    known = set(db.session.scalars(select(RequirementRule.tier)))
    added = 0
    for tier, values in DEFAULT_RULES.items():
        if tier not in known:
            db.session.add(RequirementRule(from_year=FROM_THE_START, tier=tier, **values))
            added += 1
    return added


def load_reference_data() -> None:
    """Default framework, activity types, catalogue and rules. Idempotent; the caller commits."""
    import_framework(read_file(DEFAULT_FRAMEWORK_FILE), apply=current_framework() is None, audit=False)
    db.session.flush()
    load_activity_types()
    load_courses()
    load_default_rules()
    db.session.flush()
    load_hub_content()
