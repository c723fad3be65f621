"""What the shipped data files (tracker/data/*.json) hold, read from the files themselves, so that
a test's expected numbers follow the data when it is edited."""
from __future__ import annotations

import json
from functools import cache

from tracker.reference import DATA_DIR, DEFAULT_FRAMEWORK_FILE


@cache
def _json(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def framework_behaviours() -> list[dict]:
    framework = json.loads(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
    return [behaviour for domain in framework["domains"] for subject in domain["subjects"]
            for behaviour in subject["behaviours"]]


def behaviours_for_tier(tier: int) -> int:
    return sum(1 for behaviour in framework_behaviours() if tier in behaviour["tiers"])


def course_count() -> int:
    return len(_json("courses.json")["courses"])


def resource_count() -> int:
    return len(_json("resources.json")["resources"])


def section_count() -> int:
    return len(_json("hub_sections.json")["sections"])
