"""One person's row of an extract, read and checked on its own: name, e-mail, staff group, tier,
unit and line manager. Checks that need the whole file (duplicates, cycles) are in plan.py."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.models import StaffGroup
from tracker.staff_import.staff_groups import staff_group_of
from tracker.staff_import.tracker_state import Known

EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
PRIMARY_WORDS = {"y", "yes", "true", "1", "primary", "p"}


@dataclass
class Entry:
    """The row used for one employee number."""

    line: int
    employee_number: str
    assignment: str = ""
    primary: bool = False
    cells: list[str] = field(default_factory=list, repr=False)
    name: str = ""
    email: str | None = None
    job_title: str | None = None
    staff_group: StaffGroup | None = None
    tier: int | None = None
    unit_id: int | None = None
    new_team: tuple[str, str] | None = None  # (code, name) of a unit to create
    manager: tuple[str, object] | None = None  # ("emp", number) or ("id", person id)
    errors: list[str] = field(default_factory=list)


def cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    position = columns.get(name)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def read_entry(line: int, cells: list[str], columns: dict[str, int]) -> Entry:
    return Entry(line=line, employee_number=cell(cells, columns, "employee_number"),
                 assignment=cell(cells, columns, "assignment_number"),
                 primary=cell(cells, columns, "primary").lower() in PRIMARY_WORDS, cells=cells)


def _name(entry: Entry, columns: dict[str, int]) -> str:
    first, last = cell(entry.cells, columns, "first_name"), cell(entry.cells, columns, "last_name")
    if first or last:
        return " ".join(part for part in (first, last) if part)
    full = cell(entry.cells, columns, "full_name")
    if "," in full:  # ESR writes "Surname, Forename"
        last, _, first = full.partition(",")
        full = f"{first.strip()} {last.strip()}".strip()
    return full


def check(entry: Entry, columns: dict[str, int], known: Known, tiers: dict[StaffGroup, int],
          file_emails: dict[str, str]) -> None:
    """Fill the entry's fields from its cells, adding a reason to `errors` for each thing wrong."""
    get = lambda name: cell(entry.cells, columns, name)  # noqa: E731
    entry.name = _name(entry, columns)[:200]
    if not entry.name:
        entry.errors.append("no name")
    if "job_title" in columns and get("job_title"):
        entry.job_title = get("job_title")[:200]
    email = get("email").lower()
    if email:
        owner = known.email_owner.get(email, entry.employee_number)
        if len(email) > 254 or not EMAIL.match(email):
            entry.errors.append(f"malformed e-mail address {email!r}")
        elif owner != entry.employee_number:
            entry.errors.append(f"the e-mail address {email} belongs to someone else in the tracker")
        elif file_emails.setdefault(email, entry.employee_number) != entry.employee_number:
            entry.errors.append(f"the e-mail address {email} is also given to employee {file_emails[email]}")
        else:
            entry.email = email
    group = get("staff_group")
    entry.staff_group = staff_group_of(group)
    if entry.staff_group is None:
        entry.errors.append(f"unknown staff group {group!r}" if group else "no staff group")
    tier = get("tier")
    if tier:
        entry.tier = int(tier) if tier in ("1", "2", "3") else None
        if entry.tier is None:
            entry.errors.append(f"tier {tier!r} is not 1, 2 or 3")
    elif entry.staff_group is not None:
        entry.tier = tiers[entry.staff_group]
    _unit(entry, get("unit_code"), get("unit_name"), known)


def _unit(entry: Entry, code: str, name: str, known: Known) -> None:
    """Match by code where the file has one, else by name; an ambiguous name is an error, never a guess."""
    if code:
        unit_id = known.unit_by_code.get(code.lower())
        if unit_id is not None:
            entry.unit_id = unit_id
        elif name:
            entry.new_team = (code[:40], name[:200])
        else:
            entry.errors.append(f"unknown organisation code {code!r}")
        return
    if not name:
        entry.errors.append("no organisation")
        return
    matches = known.units_by_name.get(name.lower(), [])
    if len(matches) > 1:
        entry.errors.append(f"{len(matches)} units are called {name!r}: give organisation codes to tell them apart")
    elif matches:
        entry.unit_id = matches[0]
    else:
        entry.new_team = ("", name[:200])


def manager_of(entry: Entry, columns: dict[str, int], known: Known, in_file,
               file_emails: dict[str, str]) -> None:
    """The entry's line manager, by employee number or e-mail, in the file or in the tracker."""
    number = cell(entry.cells, columns, "line_manager_number")
    email = cell(entry.cells, columns, "line_manager_email").lower()
    if number:
        if number in in_file or number in known.people:
            entry.manager = ("emp", number)
        else:
            entry.errors.append(f"line manager {number} is neither in the file nor in the tracker")
    elif email:
        owner = file_emails.get(email) or known.email_owner.get(email)
        if owner:
            entry.manager = ("emp", owner)
        elif email in known.email_owner:  # someone in the tracker without an employee number
            entry.manager = ("id", _id_by_email(known, email))
        else:
            entry.errors.append(f"line manager {email} is neither in the file nor in the tracker")
    if entry.manager == ("emp", entry.employee_number):
        entry.errors.append("line manager cycle: they are their own line manager")
        entry.manager = None


def _id_by_email(known: Known, email: str) -> int:
    return next(row.id for row in known.by_id.values() if row.email == email)
