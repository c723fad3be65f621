"""The demo trust's units and people, as rows ready for bulk insert.

Units first (trust, directorates, care groups, teams), then people from the top down: the
executive office, a senior manager per directorate, a manager per team, then everyone else,
so every line manager's id is lower than their reports' (the self-referencing foreign key
is satisfied row by row). Ids are assigned here so rows can refer to each other before insert.
"""
from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tracker.appraisal_year import AppraisalYear
from tracker.models import Role, StaffGroup, UnitKind

from .trust import DIRECTORATES, EXECUTIVES, SITES, TRUST_NAME, TRUST_WIDE, Group
from .workforce import AC, FIRST_NAMES, JOBS, NM, PROFILES, SURNAMES

STAFF_PER_TEAM = 38


@dataclass
class StaffMember:
    """What the activity planner needs to know of one person (the row itself is in `Organisation.people`)."""

    id: int
    tier: int
    staff_group: StaffGroup
    team_id: int
    line_manager_id: int | None
    active: bool = True
    email: str = ""
    new_starter_year: AppraisalYear | None = None
    exempt_year: AppraisalYear | None = None


class Organisation:
    """Builds the rows of organisation_unit, person, person_role and manager_scope."""

    def __init__(self, rng: random.Random, staff: int, founded_on: date, *, next_unit_id: int,
                 next_person_id: int, password_hash: str):
        self.rng = rng
        self.staff = staff
        self.founded_on = founded_on
        self.next_unit_id = next_unit_id
        self.next_person_id = next_person_id
        self.password_hash = password_hash
        # Drawn before anything else, so the seed gives the same numbers whatever follows.
        self.employee_numbers = iter(rng.sample(range(10_000_000, 100_000_000), staff))
        self.serial = 0
        self.units: list[dict] = []
        self.parent_of: dict[int, int | None] = {}
        self.people: list[dict] = []
        self.roles: list[dict] = []
        self.scopes: list[dict] = []
        self.by_email: dict[str, StaffMember] = {}
        self.members: list[StaffMember] = []  # everyone, in the order their activities are made up
        self.teams: list[dict] = []  # id, profile, directorate (index), office, factor

    def team_factors(self) -> dict[int, float]:
        """How well each team does (about 0.7 to 1.2), so dashboards show green, amber and red."""
        return {team["id"]: team["factor"] for team in self.teams}

    # -- units

    def _unit(self, name: str, kind: UnitKind, parent: int | None) -> int:
        unit_id = self.next_unit_id
        self.next_unit_id += 1
        self.units.append({"id": unit_id, "name": name, "kind": kind, "parent_id": parent,
                           "created_at": datetime.combine(self.founded_on, time(9), tzinfo=UTC)})
        self.parent_of[unit_id] = parent
        return unit_id

    def build_units(self) -> None:
        rng = self.rng
        self.trust_id = self._unit(TRUST_NAME, UnitKind.ORGANISATION, None)
        self.exec_team_id = self._unit("Executive Office", UnitKind.TEAM, self.trust_id)
        team_count = max(sum(d.min_teams for d in DIRECTORATES), round(self.staff / STAFF_PER_TEAM))
        counts = apportion(team_count, [d.weight for d in DIRECTORATES], [d.min_teams for d in DIRECTORATES])
        self.directorate_ids: list[int] = []
        self.office_ids: list[int] = []
        self.team_by_name: dict[str, int] = {}
        ward_numbers = iter(range(30, 10_000))
        for index, (directorate, n) in enumerate(zip(DIRECTORATES, counts)):
            directorate_id = self._unit(directorate.name, UnitKind.DIRECTORATE, self.trust_id)
            self.directorate_ids.append(directorate_id)
            office_id = self._unit(f"{directorate.name} Directorate Office", UnitKind.TEAM, directorate_id)
            self.office_ids.append(office_id)
            self.teams.append({"id": office_id, "profile": "office", "directorate": index, "office": True,
                               "factor": rng.uniform(0.75, 1.15)})
            if directorate.care_groups:
                split = apportion(n, [w for _, w, _ in directorate.care_groups], [1] * len(directorate.care_groups))
                placements = [(self._unit(name, UnitKind.CARE_GROUP, directorate_id), group, k)
                              for (name, _, group), k in zip(directorate.care_groups, split)]
            else:
                placements = [(directorate_id, group, n) for group in directorate.groups]
            for parent_id, group, k in placements:
                for name, profile in team_names(group, k, ward_numbers):
                    team_id = self._unit(name, UnitKind.TEAM, parent_id)
                    self.team_by_name.setdefault(name, team_id)
                    self.teams.append({"id": team_id, "profile": profile, "directorate": index, "office": False,
                                       "factor": rng.uniform(0.7, 1.2)})
        self.team_of = {team["id"]: team for team in self.teams}

    # -- people

    def _add_person(self, *, group: StaffGroup, title: str, tier: int, team_id: int, line_manager_id: int | None,
                    email: str | None = None, name: str | None = None, roles=(), scope=(),
                    active: bool = True) -> StaffMember:
        person_id = self.next_person_id
        self.next_person_id += 1
        self.serial += 1
        if name is None:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            name = f"{first} {last}"
            email = f"{_slug(first)}.{_slug(last)}.{self.serial}@example.org"
        joined = self.founded_on - timedelta(days=self.rng.randint(30, 3650))
        self.people.append({
            "id": person_id, "employee_number": f"{next(self.employee_numbers)}", "email": email, "name": name,
            "job_title": title, "staff_group": group, "tier": tier, "team_id": team_id,
            "line_manager_id": line_manager_id, "password_hash": self.password_hash, "active": active,
            "session_token": secrets.token_urlsafe(24),
            "created_at": datetime.combine(joined, time(9), tzinfo=UTC),
        })
        for role in roles:
            self.roles.append({"person_id": person_id, "role": role})
        for unit_id in scope:
            self.scopes.append({"person_id": person_id, "unit_id": unit_id})
        person = StaffMember(person_id, tier, group, team_id, line_manager_id, active, email)
        self.by_email[email] = person
        return person

    def build_people(self) -> None:
        executives = self._add_executives()
        seniors = self._add_senior_managers(executives)
        managers = self._add_team_managers(seniors)
        generated = self._add_staff(managers)
        # A few people have left: their accounts stay (with their history) but cannot sign in.
        row_of = {row["id"]: row for row in self.people}
        for leaver in self.rng.sample(generated, max(2, round(len(generated) * 0.015))):
            leaver.active = False
            row_of[leaver.id]["active"] = False
        self._cover_every_staff_group(generated)

    def _add_executives(self) -> dict[str, StaffMember]:
        executives = {}
        ceo_id = None
        for key, group, title, tier in EXECUTIVES:
            scope = (self.exec_team_id,) if key == "ceo" else (self.trust_id,) if key in TRUST_WIDE else ()
            person = self._add_person(group=group, title=title, tier=tier, team_id=self.exec_team_id,
                                      line_manager_id=ceo_id, roles=(Role.MANAGER,) if scope else (), scope=scope)
            if key == "ceo":
                ceo_id = person.id
            executives[key] = person
        self.members.extend(executives.values())
        return executives

    def _add_senior_managers(self, executives: dict[str, StaffMember]) -> list[StaffMember]:
        """One per directorate, reporting to the director of nursing or the chief operating officer."""
        seniors: list[StaffMember] = []
        for index, directorate in enumerate(DIRECTORATES):
            group, title = directorate.senior
            boss = executives["don"] if group == NM else executives["coo"]
            kwargs = dict(group=group, title=title, tier=3, team_id=self.office_ids[index], line_manager_id=boss.id,
                          roles=(Role.MANAGER,), scope=(self.directorate_ids[index],))
            if directorate.name == "Cancer Services":
                kwargs.update(email="director@example.org", name="Helen Okafor")
            seniors.append(self._add_person(**kwargs))
        self.members.extend(seniors)
        return seniors

    def _add_team_managers(self, seniors: list[StaffMember]) -> dict[int, StaffMember]:
        """A manager per team, by team id; the senior manager runs their own directorate office."""
        ward7 = self.team_by_name["Ward 7 (Oncology)"]
        managers: dict[int, StaffMember] = {}
        for team in self.teams:
            senior = seniors[team["directorate"]]
            if team["office"]:
                managers[team["id"]] = senior
                continue
            group, title = PROFILES[team["profile"]].manager
            kwargs = dict(group=group, title=title, tier=3, team_id=team["id"], line_manager_id=senior.id,
                          roles=(Role.MANAGER,), scope=(team["id"],))
            if team["id"] == ward7:
                kwargs.update(email="manager@example.org", name="Jo Bennett")
            managers[team["id"]] = self._add_person(**kwargs)
        self.members.extend(m for t, m in managers.items() if not self.team_of[t]["office"])
        return managers

    def _add_staff(self, managers: dict[int, StaffMember]) -> list[StaffMember]:
        """Everyone else, spread over the teams by size; returns the made-up ones (not the named accounts)."""
        rng = self.rng
        fixed = len(self.people)
        remaining = self.staff - fixed
        if remaining < len(self.teams):
            raise ValueError(f"staff must be at least {fixed + len(self.teams)} for {len(self.teams)} teams")
        sizes = apportion(remaining, [PROFILES[t["profile"]].size * rng.uniform(0.7, 1.3) for t in self.teams],
                          [1] * len(self.teams))
        named = {
            self.team_by_name["Ward 7 (Oncology)"]: [
                dict(email="staff@example.org", name="Priya Shah", group=NM, title="Staff nurse", tier=2)],
            self.team_by_name["Learning and Development"]: [
                dict(email="lead@example.org", name="Ruth Adeyemi", group=AC, title="Education lead", tier=3,
                     roles=(Role.EDUCATION_LEAD,))],
            self.team_by_name["Information Technology"]: [
                dict(email="admin@example.org", name="Tom Fletcher", group=AC, title="Clinical systems administrator",
                     tier=1, roles=(Role.ADMIN,))],
        }
        generated: list[StaffMember] = []
        for team, size in zip(self.teams, sizes):
            manager = managers[team["id"]]
            jobs = PROFILES[team["profile"]].jobs
            keys = [k for k, _ in jobs]
            weights = [w for _, w in jobs]
            for slot in range(size):
                fixed_person = named.get(team["id"], [])
                if slot < len(fixed_person):
                    spec = fixed_person[slot]
                    self.members.append(self._add_person(
                        group=spec["group"], title=spec["title"], tier=spec["tier"], team_id=team["id"],
                        line_manager_id=manager.id, email=spec["email"], name=spec["name"],
                        roles=spec.get("roles", ())))
                    continue
                group, title, tier = JOBS[rng.choices(keys, weights)[0]]
                person = self._add_person(group=group, title=title, tier=tier, team_id=team["id"],
                                          line_manager_id=manager.id)
                generated.append(person)
        self.members.extend(generated)
        return generated

    def _cover_every_staff_group(self, generated: list[StaffMember]) -> None:
        """Small organisations can miss a staff group by chance; give a few people one of its jobs."""
        row_of = {row["id"]: row for row in self.people}
        present = {row["staff_group"] for row in self.people}
        for group in StaffGroup:
            if group in present:
                continue
            jobs = [job for job in JOBS.values() if job[0] == group]
            for person in self.rng.sample(generated, min(2, len(generated))):
                _, title, tier = self.rng.choice(jobs)
                row = row_of[person.id]
                row.update(staff_group=group, job_title=title, tier=tier)
                person.staff_group, person.tier = group, tier
            present.add(group)


def apportion(total: int, weights: list[float], minimums: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, giving each at least its minimum (largest remainder)."""
    counts = list(minimums)
    spare = total - sum(counts)
    if spare <= 0:
        return counts
    weight_sum = sum(weights)
    targets = [total * w / weight_sum for w in weights]
    extra = [max(0.0, t - c) for t, c in zip(targets, counts)]
    extra_sum = sum(extra) or 1.0
    shares = [spare * e / extra_sum for e in extra]
    floors = [int(s) for s in shares]
    counts = [c + f for c, f in zip(counts, floors)]
    left = spare - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        counts[i] += 1
    return counts


def team_names(group: Group, n: int, ward_numbers) -> list[tuple[str, str]]:
    """The first n teams of a group: its named teams, then numbered wards and the same services at other sites."""
    names = list(group.teams[:n])
    makes_wards = bool(group.ward_profile and group.ward_specialties)
    # A numbered ward is not repeated at another site: new wards get new numbers instead.
    services = [t for t in group.teams if not (makes_wards and t[0].startswith("Ward "))] or list(group.teams)
    base_index, spec_index = 0, 0
    while len(names) < n:
        if makes_wards and len(names) % 2 == 0:
            specialty = group.ward_specialties[spec_index % len(group.ward_specialties)]
            spec_index += 1
            names.append((f"Ward {next(ward_numbers)} ({specialty})", group.ward_profile))
            continue
        name, profile = services[base_index % len(services)]
        round_ = base_index // len(services)
        site = SITES[round_ % len(SITES)]
        suffix = f", {site}" if round_ < len(SITES) else f", {site} ({round_ // len(SITES) + 1})"
        names.append((f"{name}{suffix}", profile))
        base_index += 1
    return names


def _slug(word: str) -> str:
    return re.sub(r"[^a-z]", "", word.lower())
