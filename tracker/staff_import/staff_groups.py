"""Staff groups as extracts spell them, and the tier each group gets when a file has no tier
column (the importer's defaults, which an admin may change; stored in StaffGroupTier)."""
from __future__ import annotations

import re

from sqlalchemy import delete, insert, select

from tracker.extensions import db
from tracker.models import StaffGroup, StaffGroupTier

# Tier 1 for everyone, 2 for those who care for patients, 3 for those who lead or teach (the
# framework's tiers); staff groups only approximate that, so an admin may change these.
DEFAULT_TIERS: dict[StaffGroup, int] = {
    StaffGroup.ADD_PROF_SCIENTIFIC: 2,
    StaffGroup.ADDITIONAL_CLINICAL: 2,
    StaffGroup.ADMIN_CLERICAL: 1,
    StaffGroup.ALLIED_HEALTH: 2,
    StaffGroup.ESTATES_ANCILLARY: 1,
    StaffGroup.HEALTHCARE_SCIENTISTS: 2,
    StaffGroup.MEDICAL_DENTAL: 2,
    StaffGroup.NURSING_MIDWIFERY: 2,
    StaffGroup.STUDENTS: 1,
}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", (text or "").lower().replace("&", " and ")).split())


# ESR writes some groups with a leading code ("Nursing and Midwifery Registered") and some
# systems shorten them; each spelling maps to one group.
_SPELLINGS = {_key(group.value): group for group in StaffGroup} | {
    _key("Nursing and Midwifery"): StaffGroup.NURSING_MIDWIFERY,
    _key("Nursing & Midwifery Registered"): StaffGroup.NURSING_MIDWIFERY,
    _key("Additional Professional Scientific and Technical"): StaffGroup.ADD_PROF_SCIENTIFIC,
    _key("Admin and Clerical"): StaffGroup.ADMIN_CLERICAL,
    _key("Allied Health Professional"): StaffGroup.ALLIED_HEALTH,
    _key("Healthcare Scientist"): StaffGroup.HEALTHCARE_SCIENTISTS,
    _key("Medical"): StaffGroup.MEDICAL_DENTAL,
    _key("Student"): StaffGroup.STUDENTS,
}


def staff_group_of(text: str) -> StaffGroup | None:
    return _SPELLINGS.get(_key(text))


def tiers_by_group() -> dict[StaffGroup, int]:
    """The tier of each staff group for files without a tier column: stored choices over defaults."""
    stored = dict(db.session.execute(select(StaffGroupTier.staff_group, StaffGroupTier.tier)).all())
    return {group: stored.get(group, DEFAULT_TIERS[group]) for group in StaffGroup}


def set_tiers(tiers: dict[StaffGroup, int]) -> None:
    """Store the admin's tier for each staff group (the caller commits)."""
    db.session.execute(delete(StaffGroupTier))
    db.session.execute(insert(StaffGroupTier), [{"staff_group": g, "tier": t} for g, t in tiers.items()])
