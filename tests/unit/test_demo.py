"""The demo trust: the right shape, the promised accounts, believable activity, and the same every time."""
from __future__ import annotations

from collections import defaultdict

import re
from datetime import date

import pytest
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash

from tracker import appraisal_year, figures
from tracker.appraisal_year import year_containing
from tracker.compliance import Status, progress_of
from tracker.counting import live_in_year
from tracker.demo import DEMO_PASSWORD, DemoAlreadyLoaded, load_demo
from tracker.extensions import db
from tracker.roster import Roster
from tracker.models import (
    TIERS,
    Activity,
    ActivityStatus,
    BehaviourTier,
    Exemption,
    ExemptionReason,
    ManagerScope,
    OrganisationUnit,
    Person,
    PersonRole,
    Role,
    StaffGroup,
    SINCE_EVER,
    PersonPeriod,
    UnitPeriod,
    UnitClosure,
    UnitKind,
    activity_behaviour,
)

TODAY = date(2026, 11, 26)
THIS_YEAR = year_containing(TODAY)
LAST_YEAR = THIS_YEAR.previous()
NHS_NUMBER_LIKE = re.compile(r"\d{3}\s?\d{3}\s?\d{4}")


@pytest.fixture
def demo(db_session):
    return load_demo(staff=160, years=2, seed=2026, today=TODAY)


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def unit(name: str) -> OrganisationUnit:
    return db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.name == name))


def count_units(kind: UnitKind) -> int:
    return db.session.scalar(select(func.count()).where(OrganisationUnit.kind == kind))


def fingerprint() -> tuple:
    """Everything the seed decides, independent of ids."""
    owner = aliased(Person)
    manager = aliased(Person)
    team = aliased(OrganisationUnit)
    people = db.session.execute(
        select(owner.email, owner.name, owner.job_title, owner.staff_group, owner.tier, owner.active,
               owner.employee_number, team.name, manager.email)
        .join(team, team.id == owner.team_id)
        .outerjoin(manager, manager.id == owner.line_manager_id)
        .order_by(owner.email)
    ).all()
    activities = db.session.execute(
        select(Person.email, Activity.occurred_on, Activity.title, Activity.status, Activity.duration_minutes)
        .join(Person, Person.id == Activity.owner_id)
        .order_by(Person.email, Activity.occurred_on, Activity.title, Activity.status)
    ).all()
    units = db.session.scalars(select(OrganisationUnit.name).order_by(OrganisationUnit.name)).all()
    return tuple(people), tuple(activities), tuple(units)


def test_demo_builds_a_trust_of_directorates_and_teams(demo):
    assert db.session.scalar(select(func.count(Person.id))) == 160 == demo["person"]
    trust = unit("Northfield Hospitals NHS Foundation Trust")
    assert trust.kind == UnitKind.ORGANISATION and trust.parent_id is None
    assert count_units(UnitKind.DIRECTORATE) >= 3
    assert count_units(UnitKind.TEAM) >= 10
    ward7, cancer = unit("Ward 7 (Oncology)"), unit("Cancer Services")
    assert ward7.kind == UnitKind.TEAM and cancer.kind == UnitKind.DIRECTORATE
    assert db.session.get(UnitClosure, (cancer.id, ward7.id, SINCE_EVER)) is not None
    # every unit is under the trust in the closure table, and every team has people
    assert db.session.scalar(select(func.count()).where(UnitClosure.ancestor_id == trust.id,
                                                        UnitClosure.current())) == demo["organisation_unit"]
    empty_teams = select(func.count(OrganisationUnit.id)).where(
        OrganisationUnit.kind == UnitKind.TEAM, ~exists().where(Person.team_id == OrganisationUnit.id)
    )
    assert db.session.scalar(empty_teams) == 0


def test_every_staff_group_and_tier_is_present(demo):
    groups = set(db.session.scalars(select(Person.staff_group).distinct()))
    tiers = set(db.session.scalars(select(Person.tier).distinct()))
    assert groups == set(StaffGroup)
    assert tiers == set(TIERS)
    emails = db.session.scalars(select(Person.email)).all()
    assert all(e == e.lower() for e in emails) and len(set(emails)) == len(emails)
    assert db.session.scalar(select(func.count()).where(Person.active.is_(False))) >= 2


def test_the_five_demo_accounts(demo):
    staff, manager, director = person("staff@example.org"), person("manager@example.org"), person("director@example.org")
    lead, admin = person("lead@example.org"), person("admin@example.org")
    ward7, cancer = unit("Ward 7 (Oncology)"), unit("Cancer Services")

    assert (staff.tier, staff.staff_group, staff.job_title) == (2, StaffGroup.NURSING_MIDWIFERY, "Staff nurse")
    assert staff.team_id == ward7.id and staff.line_manager_id == manager.id and staff.roles == set()

    assert manager.roles == {Role.MANAGER} and [s.unit_id for s in manager.scopes] == [ward7.id]
    assert (manager.team_id, manager.tier, manager.job_title) == (ward7.id, 3, "Ward manager")
    assert manager.line_manager_id == director.id

    assert director.roles == {Role.MANAGER} and [s.unit_id for s in director.scopes] == [cancer.id]
    assert (director.tier, director.job_title) == (3, "Head of nursing, Cancer Services")

    assert lead.roles == {Role.EDUCATION_LEAD} and lead.job_title == "Education lead"
    assert db.session.scalar(select(func.count()).where(
        UnitClosure.ancestor_id == unit("Corporate Services").id, UnitClosure.descendant_id == lead.team_id,
        UnitClosure.current())) == 1
    assert admin.roles == {Role.ADMIN}

    for account in (staff, manager, director, lead, admin):
        assert account.active
    # one hash shared by everyone, so checking it once checks them all
    assert db.session.scalar(select(func.count(Person.password_hash.distinct()))) == 1
    assert check_password_hash(staff.password_hash, DEMO_PASSWORD)


def test_every_team_has_a_manager_and_line_managers_hold_scope_over_their_staff(demo):
    teams = db.session.scalars(select(OrganisationUnit.id).where(OrganisationUnit.kind == UnitKind.TEAM)).all()
    managed = select(UnitClosure.descendant_id).join(ManagerScope, ManagerScope.unit_id == UnitClosure.ancestor_id).join(
        PersonRole, and_(PersonRole.person_id == ManagerScope.person_id, PersonRole.role == Role.MANAGER)
    )
    assert set(teams) <= set(db.session.scalars(managed))

    covered = (
        select(ManagerScope.person_id)
        .join(UnitClosure, UnitClosure.ancestor_id == ManagerScope.unit_id)
        .where(ManagerScope.person_id == Person.line_manager_id, UnitClosure.descendant_id == Person.team_id)
    )
    uncovered = select(func.count(Person.id)).where(Person.line_manager_id.is_not(None), ~exists(covered))
    assert db.session.scalar(uncovered) == 0
    # staff report to the manager of their own team
    ward7 = unit("Ward 7 (Oncology)")
    reports = db.session.scalars(select(Person.line_manager_id).where(Person.team_id == ward7.id, Person.email != "manager@example.org"))
    assert set(reports) == {person("manager@example.org").id}


def test_activities_cover_two_years_with_every_status(demo):
    years = {THIS_YEAR: set(), LAST_YEAR: set()}
    for occurred_on, status in db.session.execute(select(Activity.occurred_on, Activity.status)):
        year = year_containing(occurred_on)
        assert year in years and occurred_on <= TODAY
        years[year].add(status)
    assert years[THIS_YEAR] == set(ActivityStatus)
    assert ActivityStatus.SIGNED_OFF in years[LAST_YEAR]

    activities = db.session.scalars(select(Activity)).all()
    assert len(activities) == demo["activity"] >= 300
    owner_of = {p.id: p for p in db.session.scalars(select(Person))}
    for activity in activities:
        owner = owner_of[activity.owner_id]
        assert 30 <= activity.duration_minutes <= 480
        assert activity.reflection and not any(NHS_NUMBER_LIKE.search(text) for text in activity.reflection.values())
        if activity.status in (ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED):
            assert activity.decided_by_id == owner.line_manager_id and activity.decided_at is not None
        if activity.status == ActivityStatus.RETURNED:
            assert activity.feedback
        if activity.status == ActivityStatus.SUBMITTED:
            assert activity.submitted_at is not None and activity.decided_at is None
        if activity.status == ActivityStatus.DRAFT:
            assert activity.submitted_at is None

    # 1-4 behaviours each, all suited to the owner's tier
    per_activity = db.session.execute(
        select(activity_behaviour.c.activity_id, func.count()).group_by(activity_behaviour.c.activity_id)
    ).all()
    assert len(per_activity) == len(activities) and all(1 <= n <= 4 for _, n in per_activity)
    unsuited = (
        select(func.count())
        .select_from(activity_behaviour)
        .join(Activity, Activity.id == activity_behaviour.c.activity_id)
        .join(Person, Person.id == Activity.owner_id)
        .where(~exists().where(BehaviourTier.behaviour_id == activity_behaviour.c.behaviour_id,
                               BehaviourTier.tier == Person.tier))
    )
    assert db.session.scalar(unsuited) == 0


def test_people_are_spread_across_the_statuses(demo):
    now = figures.roll_up(figures.status_cube(Roster.of(THIS_YEAR, TODAY).people(), THIS_YEAR, TODAY)).counts
    for status in (Status.COMPLETE, Status.IN_PROGRESS, Status.AWAITING_SIGN_OFF, Status.NOT_STARTED, Status.EXEMPT):
        assert now[status] > 0, status
    assert now[Status.OVERDUE] == 0
    last = figures.roll_up(figures.status_cube(Roster.of(LAST_YEAR, TODAY).people(), LAST_YEAR, TODAY)).counts
    total = sum(last.values())
    assert last[Status.COMPLETE] > total / 2 and last[Status.OVERDUE] > 0


def test_the_demo_staff_member_is_in_progress_this_year_and_complete_last_year(demo):
    staff = person("staff@example.org")
    assert progress_of(staff, THIS_YEAR, TODAY).status == Status.IN_PROGRESS
    assert progress_of(staff, LAST_YEAR, TODAY).status == Status.COMPLETE
    statuses = db.session.scalars(
        select(Activity.status).where(Activity.owner_id == staff.id, live_in_year(THIS_YEAR))
    ).all()
    assert sorted(s.value for s in statuses) == ["draft", "returned", "signed_off"]


def test_a_few_people_are_exempt(demo):
    exemptions = db.session.scalars(select(Exemption)).all()
    assert 1 <= len(exemptions) <= 160 * 0.06
    for exemption in exemptions:
        exempted = db.session.get(Person, exemption.person_id)
        assert exemption.starts_on <= exemption.ends_on
        assert exemption.recorded_by_id == exempted.line_manager_id
        assert exemption.reason in set(ExemptionReason)
        if exemption.reason == ExemptionReason.OTHER:
            assert exemption.reason_detail


def test_the_same_seed_gives_the_same_data(db_session):
    load_demo(staff=160, years=2, seed=2026, today=TODAY)
    first = fingerprint()
    db_session.rollback()
    assert db.session.scalar(select(func.count(Person.id))) == 0
    load_demo(staff=160, years=2, seed=2026, today=TODAY)
    assert fingerprint() == first
    db_session.rollback()
    load_demo(staff=160, years=2, seed=7, today=TODAY)
    assert fingerprint() != first


def test_without_a_day_the_demo_follows_the_clock_seam(db_session, monkeypatch):
    frozen = date(2024, 6, 15)
    monkeypatch.setattr(appraisal_year, "today", lambda: frozen)
    load_demo(staff=60, years=1)
    dates = db.session.scalars(select(Activity.occurred_on)).all()
    assert dates and all(year_containing(frozen).contains(day) and day <= frozen for day in dates)


def test_demo_accounts_that_may_need_a_second_factor_share_the_demo_secret(demo, app):
    from tracker.auth import mfa
    from tracker.models import SecondFactor

    factors = {email: db.session.get(SecondFactor, person(email).id)
               for email in ("admin@example.org", "lead@example.org", "manager@example.org", "staff@example.org")}
    assert factors["staff@example.org"] is None
    for email in ("admin@example.org", "lead@example.org", "manager@example.org"):
        assert factors[email].secret == mfa.DEMO_SECRET and factors[email].enrolled_at is not None, email
    with app.test_request_context():
        assert mfa.needs_second_factor(person("admin@example.org")) and mfa.is_enrolled(person("lead@example.org"))


def test_demo_data_is_never_loaded_twice(demo):
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(staff=160, years=2, seed=2026, today=TODAY)


def test_flask_demo_load_prints_the_accounts_and_skips_a_loaded_database(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--staff", "60", "--years", "1"])
    assert result.exit_code == 0, result.output
    assert "staff@example.org" in result.output and DEMO_PASSWORD in result.output
    assert "TRACKERDEMOSEEDNOTFORLIVEUSE2345" in result.output  # the demo TOTP key (tracker/auth/mfa.py)
    assert result.output.rstrip().endswith("Demo data is for local use only.")
    assert db.session.scalar(select(func.count(Person.id))) == 60

    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "already exist" in again.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "already has people" in refused.output


def test_demo_reflections_answer_the_portfolio_prompts(demo):
    from tracker.models import Activity
    from tracker.portfolio.reflection import MODELS

    seen = set()
    for model, reflection in db.session.execute(select(Activity.reflection_model, Activity.reflection)):
        if model is None:
            continue
        assert set(reflection) == {prompt.key for prompt in MODELS[model].prompts}, model
        seen.add(model)
    assert seen == set(MODELS)


def test_the_earliest_year_was_measured_by_looser_rules_than_today(demo):
    from tracker.compliance import load_rules

    earliest, today_rules = load_rules(LAST_YEAR), load_rules(THIS_YEAR)
    assert earliest[2].min_hours == 2 and today_rules[2].min_hours == 3
    assert earliest[3].min_behaviours == 5 and today_rules[3].min_behaviours == 6
    assert earliest[1] == today_rules[1]


def test_demo_has_history_for_closed_years_to_keep(demo):
    """Some people moved team, changed tier or staff group, joined or left during the demo years;
    one team was renamed and one moved to another directorate. Each person's periods never overlap
    and the last of someone in post is today's team, tier and staff group."""
    periods = defaultdict(list)
    for period in db.session.scalars(select(PersonPeriod).order_by(PersonPeriod.starts_on)):
        periods[period.person_id].append(period)
    people = {p.id: p for p in db.session.scalars(select(Person))}
    moved = tiered = regrouped = 0
    for person_id, own in periods.items():
        for before, after in zip(own, own[1:]):
            assert before.ends_on is not None and before.ends_on < after.starts_on
            moved += before.team_id != after.team_id
            tiered += before.tier != after.tier
            regrouped += before.staff_group != after.staff_group
        person = people[person_id]
        last = own[-1]
        if person.active:
            assert last.ends_on is None
            assert (last.team_id, last.tier, last.staff_group) == (person.team_id, person.tier, person.staff_group)
        else:
            assert last.ends_on is not None and last.ends_on < TODAY
    assert moved and tiered and regrouped
    assert any(own[0].starts_on > date(1900, 1, 1) for own in periods.values())  # joined in the demo years
    assert all(p.active for p in people.values() if p.id in periods) is False  # leavers keep their past
    assert db.session.scalar(select(func.count()).select_from(UnitPeriod).where(UnitPeriod.ends_on.is_not(None))) == 2
    assert db.session.scalar(select(func.count()).select_from(UnitClosure).where(UnitClosure.ends_on.is_not(None))) > 0
