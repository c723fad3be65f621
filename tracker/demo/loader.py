"""`load_demo`: make up the trust, its people and their activity, and write it all in bulk (`bulk.py`).

Ids are assigned before insert (from the current maximum), so rows can refer to each other
and 100,000 staff over three years load in under three minutes on SQLite and PostgreSQL alike.
Every random choice comes from one `random.Random(seed)`, drawn in a fixed order: the
organisation, then exemptions, then activities, person by person, then history, then observations.
"""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, text, update

from tracker import appraisal_year, unit_list
from tracker.appraisal_year import AppraisalYear
from tracker.auth import mfa
from tracker.auth.services import hash_password
from tracker.batching import batches
from tracker.extensions import db
from tracker.figures import upkeep
from tracker.models import (
    FROM_THE_START,
    Activity,
    Exemption,
    ManagerScope,
    ObservationRequest,
    ObservedBehaviour,
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
from .bulk import BulkWriter
from .exemptions import exemption_rows
from .observations import OBSERVED_TYPE, ObservationWriter, when_now
from .organisation import Organisation
from .plans import Planner
from .reference import read_reference
from .trust import DEMO_ACCOUNTS, DEMO_PASSWORD

ACTIVITY_BATCH = 5000  # people whose activities are made, then written, together
MIN_STAFF = 60


class DemoAlreadyLoaded(RuntimeError):
    """The database already has people: demo data is loaded on first run and never twice."""


def load_demo(staff: int = 180, years: int = 2, seed: int = 2026, today: date | None = None,
              analyse: bool = True) -> dict[str, int]:
    """Load the demo trust into an empty database; returns rows inserted per table. The caller commits.

    `analyse=False` leaves the planner without statistics (the plans bench measures pages so)."""
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
    if analyse:  # planner statistics for the bulk-loaded tables: an optimisation, not a need
        db.session.execute(text("ANALYZE"))
    # After the statistics: without them PostgreSQL plans the figures' INSERT … SELECT over
    # thousands of people as if the tables were empty, and it ran for minutes at 5,000 staff.
    fill_figures()
    if analyse:
        db.session.execute(text("ANALYZE person_year_figures"))
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
    writer = BulkWriter()
    writer.write(OrganisationUnit, organisation.units)
    unit_list.changed(db.session)  # written in bulk, past the session's hook
    writer.write(Person, organisation.people)
    writer.write(PersonRole, organisation.roles)
    _enrol_demo_accounts(organisation)
    writer.write(ManagerScope, organisation.scopes)
    exemptions = exemption_rows(rng, organisation.members, years, today, next_exemption_id)
    writer.write(Exemption, exemptions)
    planner = Planner(rng, reference, years, today, organisation.team_factors())
    # Activities go to the database as they are made, a few thousand people at a time, so
    # 100,000 staff never hold their half a million activities in memory at once.
    activities = ActivityWriter(rng, reference, planner, years, today, next_activity_id)
    observations = ObservationWriter(rng, organisation, reference.type_ids.get(OBSERVED_TYPE), today, when_now(today),
                                     next_request_id=_next_id(ObservationRequest))
    observable, observable_links = [], []  # the few activities observations are drawn about, kept for later
    for _ in activities.write_in_batches(organisation.members, ACTIVITY_BATCH):
        for activity in activities.activities:
            activity["observed"] = False
        kept = observations.observable(activities.activities)
        observable += kept
        ids = {activity["id"] for activity in kept}
        observable_links += [link for link in activities.links if link["activity_id"] in ids]
        writer.write(Activity, activities.activities)
        writer.write(activity_behaviour, activities.links)
    # Drawn after the activities: its generator is seeded from the state they leave behind.
    history = build_history(rng, organisation, years, today)
    writer.write(UnitClosure, history.closure)
    writer.write(UnitPeriod, history.unit_periods)
    writer.write(PersonPeriod, history.person_periods)
    # Then observations, about activities already written: those answered are marked observed after.
    observations.write_all(observable, observable_links)
    writer.write(ObservationRequest, observations.requests)
    writer.write(ObservedBehaviour, observations.observed)
    _mark_observed([activity["id"] for activity in observable if activity["observed"]])
    _earlier_rules(years)
    _reset_sequences()
    return writer.counts


def _mark_observed(activity_ids: list[int]) -> None:
    for batch in batches(activity_ids, 5000):
        db.session.execute(update(Activity).where(Activity.id.in_(batch)).values(observed=True))


def fill_figures() -> None:
    """Each demo year's kept figures in bulk (one INSERT … SELECT per year), after every activity,
    exemption and period is written; the rows the session hook would keep one change at a time."""
    db.session.flush()
    upkeep.rebuild_all()


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


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them on so later inserts work."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("organisation_unit", "person", "activity", "exemption", "observation_request"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
