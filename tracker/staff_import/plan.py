"""From an extract to a preview plan: who would be created, updated (old -> new), left unchanged
or deactivated, which teams do not exist yet, and every invalid row with its line and reason.
Nothing here writes; apply.py carries a plan out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from tracker.models import StaffGroup
from tracker.organisation import ensure_may_date
from tracker.staff_import import headers, rows, tracker_state
from tracker.staff_import.reading import StaffFileError, read_table
from tracker.staff_import.rows import Entry
from tracker.staff_import.staff_groups import tiers_by_group


@dataclass(frozen=True)
class Options:
    extract_date: date
    whole_organisation: bool = False


@dataclass
class Update:
    person_id: int
    employee_number: str
    name: str
    changes: list[tuple[str, str, str]]  # (field, old, new) in words
    values: dict  # what apply.py writes: name, email, job_title, manager, team, tier, staff_group, rejoin


@dataclass
class Leaver:
    person_id: int
    employee_number: str
    name: str


@dataclass
class Plan:
    options: Options
    encoding: str = ""
    columns: headers.Columns | None = None
    headings: list[str] = field(default_factory=list)
    creates: list[Entry] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    adopted: list[int] = field(default_factory=list)  # matched people not yet marked as from an import
    leavers: list[Leaver] = field(default_factory=list)
    new_teams: list[tuple[str, str]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)
    secondary: list[tuple[int, str, str]] = field(default_factory=list)  # (line, employee number, assignment)
    without_email: int = 0
    tiers: dict[StaffGroup, int] | None = None  # shown when the file has no tier column

    @property
    def missing(self) -> list[str]:
        return self.columns.missing() if self.columns else []

    @property
    def ready(self) -> bool:
        return not self.missing and not self.invalid

    @property
    def people(self) -> int:
        return len(self.creates) + len(self.updates) + self.unchanged


def build(raw: bytes, options: Options, progress: Callable[[int], None] | None = None) -> Plan:
    """The plan for the file `raw`; StaffFileError when it cannot be read, Refused for a date in a
    closed year or the future."""
    ensure_may_date(options.extract_date, field="extract_date")
    table = read_table(raw)
    plan = Plan(options, encoding=table.encoding, headings=table.headings)
    plan.columns = headers.recognise(table.headings)
    if plan.columns.duplicates:
        raise StaffFileError(f"The heading {plan.columns.duplicates[0]!r} appears twice (or names a field another "
                             "heading already gives): remove one of them.")
    if plan.missing:
        return plan
    columns = plan.columns.index
    entries = _primary_entries(table.rows, columns, plan, progress)
    known = tracker_state.load()
    tiers = tiers_by_group()
    plan.tiers = None if "tier" in columns else tiers
    file_emails: dict[str, str] = {}
    for entry in entries.values():
        rows.check(entry, columns, known, tiers, file_emails)
    for entry in entries.values():
        rows.manager_of(entry, columns, known, entries, file_emails)
    _cycles(entries, known)
    for entry in sorted(entries.values(), key=lambda e: e.line):
        if entry.errors:
            plan.invalid += [(entry.line, f"employee {entry.employee_number}: {reason}") for reason in entry.errors]
    plan.invalid.sort()
    if plan.invalid:
        return plan
    _compare(plan, entries, known)
    return plan


def _primary_entries(table_rows, columns, plan: Plan, progress) -> dict[str, Entry]:
    """One entry per employee number: the row marked primary, else the first; other assignments are
    reported, and the same employee and assignment twice is an invalid row."""
    entries: dict[str, Entry] = {}
    for count, (line, cells) in enumerate(table_rows, start=1):
        if progress and count % 1000 == 0:
            progress(count)
        entry = rows.read_entry(line, cells, columns)
        if not entry.employee_number or len(entry.employee_number) > 20:
            plan.invalid.append((line, "employee number longer than 20 characters" if entry.employee_number
                                 else "no employee number"))
            continue
        first = entries.get(entry.employee_number)
        if first is None:
            entries[entry.employee_number] = entry
        elif not entry.assignment or entry.assignment == first.assignment:
            plan.invalid.append((line, f"duplicate employee number {entry.employee_number} (also on line {first.line})"))
        elif entry.primary and not first.primary:
            entries[entry.employee_number] = entry
            plan.secondary.append((first.line, first.employee_number, first.assignment))
        else:
            plan.secondary.append((line, entry.employee_number, entry.assignment))
    plan.secondary.sort()
    return entries


def _cycles(entries: dict[str, Entry], known: tracker_state.Known) -> None:
    """Mark every entry whose chain of line managers comes back to itself."""
    def manager_number(number: str) -> str | None:
        entry = entries.get(number)
        if entry is not None:
            return entry.manager[1] if entry.manager and entry.manager[0] == "emp" else None
        row = known.people.get(number)
        boss = known.by_id.get(row.line_manager_id) if row is not None and row.line_manager_id else None
        return boss.employee_number if boss is not None else None

    settled: set[str] = set()
    for start in entries:
        path, seen, number = [], {}, start
        while number is not None and number not in settled and number not in seen:
            seen[number] = len(path)
            path.append(number)
            number = manager_number(number)
        if number in seen:
            loop = path[seen[number]:]
            words = " → ".join(loop + [number])
            for member in loop:
                if member in entries:
                    entries[member].errors.append(f"line manager cycle: {words}")
        settled.update(path)


def _compare(plan: Plan, entries: dict[str, Entry], known: tracker_state.Known) -> None:
    teams: dict[tuple[str, str], None] = {}
    for entry in sorted(entries.values(), key=lambda e: e.line):
        if entry.new_team:
            teams.setdefault(entry.new_team)
        if entry.email is None and (entry.employee_number not in known.people
                                    or not known.people[entry.employee_number].email):
            plan.without_email += 1
        row = known.people.get(entry.employee_number)
        if row is None:
            plan.creates.append(entry)
            continue
        if not row.from_import:
            plan.adopted.append(row.id)
        update = _update(entry, row, known)
        if update.changes:
            plan.updates.append(update)
        else:
            plan.unchanged += 1
    plan.new_teams = list(teams)
    if plan.options.whole_organisation:
        plan.leavers = [Leaver(row.id, number, row.name) for number, row in sorted(known.people.items())
                        if number not in entries and row.active and row.from_import and row.id not in known.admins]


def _manager_id(entry: Entry, known: tracker_state.Known) -> int | None:
    if entry.manager is None:
        return None
    kind, value = entry.manager
    if kind == "id":
        return value
    row = known.people.get(value)
    return row.id if row is not None else None


def _update(entry: Entry, row, known: tracker_state.Known) -> Update:
    changes, values = [], {}

    def differs(label: str, key: str, old, new, old_text=None, new_text=None) -> None:
        if new is not None and new != old:
            values[key] = new
            changes.append((label, old_text if old_text is not None else str(old or ""),
                            new_text if new_text is not None else str(new)))

    differs("Name", "name", row.name, entry.name)
    differs("E-mail address", "email", row.email, entry.email)
    differs("Job title", "job_title", row.job_title, entry.job_title)
    differs("Staff group", "staff_group", row.staff_group, entry.staff_group, row.staff_group.label,
            entry.staff_group.label)
    differs("Tier", "tier", row.tier, entry.tier)
    team = entry.unit_id if entry.unit_id is not None else entry.new_team
    differs("Team", "team", row.team_id, team, known.unit_names.get(row.team_id, ""),
            f"{entry.new_team[1]} (new)" if entry.new_team else known.unit_names.get(entry.unit_id, ""))
    if entry.manager is not None:
        manager_id = _manager_id(entry, known)
        if manager_id is None or manager_id != row.line_manager_id:
            values["manager"] = entry.manager
            old = known.by_id.get(row.line_manager_id)
            new = known.by_id.get(manager_id) if manager_id else None
            changes.append(("Line manager", old.name if old else "", new.name if new else
                            f"employee {entry.manager[1]} (new)"))
    if not row.active:
        values["rejoin"] = True
        changes.append(("In post", "no (left)", "yes"))
    return Update(row.id, entry.employee_number, entry.name, changes, values)
