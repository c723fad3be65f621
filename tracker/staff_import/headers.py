"""Which column of an extract holds which field: the usual headings and their common spellings,
plus the headings an admin mapped once (remembered in ImportHeading)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select

from tracker.extensions import db
from tracker.models import ImportHeading

# Field -> (words shown to the admin, headings that mean it once normalised).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "employee_number": ("Employee number", (
        "employee number", "employee no", "employee num", "emp no", "employee id", "staff number", "staff no",
        "person number", "payroll number", "esr number", "esr employee number")),
    "assignment_number": ("Assignment number", ("assignment number", "assignment no", "assignment", "assignment id")),
    "primary": ("Primary assignment", ("primary assignment", "primary", "primary flag", "primary assignment flag")),
    "first_name": ("First name", ("first name", "forename", "forenames", "given name", "first names")),
    "last_name": ("Last name", ("last name", "surname", "family name", "last names")),
    "full_name": ("Full name", ("full name", "name", "employee name", "staff name")),
    "email": ("E-mail address", (
        "email", "email address", "e mail", "e mail address", "work email", "work email address",
        "work e mail address", "nhs email", "nhsmail")),
    "job_title": ("Job title", ("position title", "position", "job title", "job role", "position name", "role")),
    "unit_code": ("Organisation code", (
        "organisation code", "organization code", "org code", "department code", "team code", "unit code",
        "cost centre", "cost center", "cost centre code")),
    "unit_name": ("Organisation name", (
        "organisation", "organisation name", "organization", "organization name", "org name", "department",
        "department name", "team", "team name", "unit", "unit name", "ward", "ward name")),
    "staff_group": ("Staff group", ("staff group", "staff group name", "group")),
    "line_manager_number": ("Line manager's employee number", (
        "line manager employee number", "line manager number", "line manager no", "supervisor employee number",
        "supervisor number", "manager employee number", "line manager", "supervisor")),
    "line_manager_email": ("Line manager's e-mail address", (
        "line manager email", "line manager email address", "line manager e mail", "supervisor email",
        "supervisor email address", "manager email")),
    "tier": ("Tier", ("tier", "framework tier", "training tier", "communication skills tier")),
}

# Fields without which no row can be imported; a name needs first and last name, or a full name.
NEEDED = ("employee_number", "staff_group")
NAME_FIELDS = (("first_name", "last_name"), ("full_name",))
UNIT_FIELDS = ("unit_code", "unit_name")

_SPELLINGS = {spelling: name for name, (_, spellings) in FIELDS.items() for spelling in spellings}


def normalise(heading: str) -> str:
    """Lower case, words only: "E-mail Address " and "email_address" read the same."""
    words = re.sub(r"[^a-z0-9]+", " ", (heading or "").lower().replace("e-mail", "email")).split()
    return " ".join(words)[:200]


@dataclass
class Columns:
    """Field -> column index, what is still missing, and headings that name a field already taken."""

    index: dict[str, int] = field(default_factory=dict)
    unrecognised: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def missing(self) -> list[str]:
        """Needed fields no heading gives (the admin is asked to map these)."""
        lacking = [name for name in NEEDED if name not in self.index]
        if not any(all(n in self.index for n in names) for names in NAME_FIELDS):
            lacking += [n for n in ("first_name", "last_name") if n not in self.index]
        if not any(name in self.index for name in UNIT_FIELDS):
            lacking.append("unit_name")
        return lacking


def remembered() -> dict[str, str]:
    return dict(db.session.execute(select(ImportHeading.heading, ImportHeading.field)).all())


def recognise(headings: list[str], mapped: dict[str, str] | None = None) -> Columns:
    """Which column holds each field: a remembered mapping first, then the usual spellings. A field
    two headings claim, or a heading written twice, is reported, not guessed."""
    mapped = remembered() if mapped is None else mapped
    columns, seen = Columns(), set()
    for position, heading in enumerate(headings):
        key = normalise(heading)
        if not key:
            continue
        name = mapped.get(key) or _SPELLINGS.get(key)
        if name is None or name not in FIELDS:
            if key not in seen:
                columns.unrecognised.append(heading)
        elif name in columns.index:
            columns.duplicates.append(heading)
        else:
            columns.index[name] = position
        seen.add(key)
    return columns


def remember(choices: dict[str, str]) -> None:
    """Remember that each heading (as written in the file) means a field: field -> heading."""
    rows = {normalise(heading): name for name, heading in choices.items() if heading and name in FIELDS}
    if not rows:
        return
    db.session.execute(delete(ImportHeading).where(ImportHeading.heading.in_(list(rows))))
    db.session.execute(insert(ImportHeading), [{"heading": h, "field": f} for h, f in rows.items()])


def label(name: str) -> str:
    return FIELDS[name][0]
