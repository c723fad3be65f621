"""`load_demo`: make up the trust, its people and their activity, and write it all with Core bulk inserts.

Ids are assigned before insert (from the current maximum), so rows can refer to each other
and 20,000 staff over three years load in a minute or two on SQLite and PostgreSQL alike.
Every random choice comes from one `random.Random(seed)`, drawn in a fixed order: the
organisation, then exemptions, then activities, person by person.
"""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from tracker import appraisal_year
from tracker.appraisal_year import AppraisalYear
from tracker.auth import mfa
from tracker.auth.services import hash_password
from tracker.extensions import db
from tracker.figures import upkeep
from tracker.models import (
    FROM_THE_START,
    Activity,
    Exemption,
    ManagerScope,
    OrganisationUnit,
    Person,
    PersonRole,
    RequirementRule,
    PersonPeriod,
    UnitClosure,
    UnitPeriod,
    activity_behaviour,
)
from tracker.demo.history import build_history
from tracker.reference import load_reference_data

from .activities import ActivityWriter
from .exemptions import exemption_rows
from .organisation import Organisation
from .plans import Planner
from .reference import read_reference
from .trust import DEMO_ACCOUNTS, DEMO_PASSWORD

CHUNK = 5000  # rows per INSERT: well under SQLite's and PostgreSQL's parameter limits
MIN_STAFF = 60


class DemoAlreadyLoaded(RuntimeError):
    """The database already has people: demo data is loaded on first run and never twice."""


def load_demo(staff: int = 180, years: int = 2, seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Load the demo trust into an empty database; returns rows inserted per table. The caller commits."""
    if staff < MIN_STAFF:
        raise ValueError(f"staff must be at least {MIN_STAFF}, got {staff}")
    if years < 1:
        raise ValueError(f"years must be at least 1, got {years}")
    if db.session.scalar(select(func.count()).select_from(Person)):
        raise DemoAlreadyLoaded(
            "The database already has people in it; demo data is only loaded into an empty database.")
    load_reference_data()
    today = today or appraisal_year.today()
    counts = _load(random.Random(seed), staff, _years_ending(appraisal_year.current_year(today), years), today)
    upkeep.rebuild_all()  # each year's kept figures in one INSERT … SELECT
    # Planner statistics for the bulk-loaded tables; without them PostgreSQL picks minute-long plans.
    db.session.execute(text("ANALYZE"))
    return counts


def _years_ending(current: AppraisalYear, count: int) -> list[AppraisalYear]:
    """`count` appraisal years, oldest first, ending with `current`."""
    years = [current]
    while len(years) < count:
        years.insert(0, years[0].previous())
    return years


def _load(rng: random.Random, staff: int, years: list[AppraisalYear], today: date) -> dict[str, int]:
    # Every id is taken before anything is written, so each table's ids start where it ended.
    next_activity_id, next_exemption_id = _next_id(Activity), _next_id(Exemption)
    organisation = Organisation(rng, staff, years[0].starts_on, next_unit_id=_next_id(OrganisationUnit),
                                next_person_id=_next_id(Person), password_hash=hash_password(DEMO_PASSWORD))
    reference = read_reference(years[-1])
    organisation.build_units()
    organisation.build_people()
    writer = _BulkWriter()
    writer.write(OrganisationUnit, organisation.units)
    exemptions = exemption_rows(rng, organisation.members, years, today, next_exemption_id)
    planner = Planner(rng, reference, years, today, organisation.team_factors())
    activities = ActivityWriter(rng, reference, planner, years, today, next_activity_id)
    activities.write_all(organisation.members)
    history = build_history(rng, organisation, years, today)
    writer.write(UnitClosure, history.closure)
    writer.write(UnitPeriod, history.unit_periods)
    writer.write(Person, organisation.people)
    writer.write(PersonPeriod, history.person_periods)
    writer.write(PersonRole, organisation.roles)
    _enrol_demo_accounts(organisation)
    writer.write(ManagerScope, organisation.scopes)
    writer.write(Activity, activities.activities)
    writer.write(activity_behaviour, activities.links)
    writer.write(Exemption, exemptions)
    _earlier_rules(years)
    _reset_sequences()
    return writer.counts


def _enrol_demo_accounts(organisation: Organisation) -> None:
    """The demo accounts whose roles can need a second factor share the published demo secret
    (admin@ and lead@ always need it; manager@ and director@ when MFA_FOR_MANAGERS is on)."""
    emails = {email for email, _ in DEMO_ACCOUNTS}
    ids = {row["id"] for row in organisation.people if row.get("email") in emails}
    mfa.enrol_with_demo_secret(sorted({r["person_id"] for r in organisation.roles if r["person_id"] in ids}))


# The demo's earliest year asked less of tiers 2 and 3, so the annual requirement page and every
# report show a closed year measured by rules that differ from today's.
EARLIEST_YEAR_RULES = {2: dict(min_hours=Decimal(2)), 3: dict(min_behaviours=5)}


def _earlier_rules(years: list[AppraisalYear]) -> None:
    """Today's rules from the second year on; the looser ones above for the first year."""
    if len(years) < 2:
        return
    for row in db.session.scalars(select(RequirementRule).where(RequirementRule.from_year == FROM_THE_START)).all():
        db.session.add(RequirementRule(
            from_year=years[1].start_year, tier=row.tier, min_experiential_activities=row.min_experiential_activities,
            min_hours=row.min_hours, min_behaviours=row.min_behaviours,
            needs_leadership_behaviour=row.needs_leadership_behaviour))
        for name, value in EARLIEST_YEAR_RULES.get(row.tier, {}).items():
            setattr(row, name, value)
    db.session.flush()


class _BulkWriter:
    """Core INSERTs in chunks, counting rows per table."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def write(self, model, rows: list[dict]) -> None:
        table = getattr(model, "__table__", model)
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start:start + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them on so later inserts work."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("organisation_unit", "person", "activity", "exemption"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
