"""The demo organisation's history: person periods and unit periods for the bulk loader."""
from __future__ import annotations

from tracker.models import SINCE_EVER


def unit_periods(units: list[dict]) -> list[dict]:
    """Each unit has held its name and parent since before the tracker kept history."""
    return [{"unit_id": u["id"], "starts_on": SINCE_EVER, "ends_on": None, "name": u["name"],
             "parent_id": u["parent_id"]} for u in units]


def person_periods(people: list[dict]) -> list[dict]:
    """Everyone in post today has been in post, in today's team and tier, since before the tracker."""
    return [{"person_id": p["id"], "starts_on": SINCE_EVER, "ends_on": None, "team_id": p["team_id"],
             "tier": p["tier"], "staff_group": p["staff_group"]} for p in people if p["active"]]
