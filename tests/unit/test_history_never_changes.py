"""The proof of the stable-history issue: every figure of two closed years reads the same after
everything that may happen in the current one.

A demo organisation on 30 November 2026 holds three years: 2024 and 2025 (closed) and 2026 (open).
Every figure of both closed years is recorded (organisation report for the whole organisation and
each directorate, every manager's dashboard with its people table, behaviour gaps, training
uptake, and the rows of every export as CSV bytes). Then the current rules change, a new
framework version applies from the current year, people move
team, change tier, staff group and line manager, leave and one rejoins, a team moves and another is renamed, and
signing off, withdrawing and back-dating into a closed year are tried (refused), and a person who
counted in both closed years is erased. Every recorded figure must come back byte for byte (where
a row named the erased person it now reads "Erased person", with no e-mail address or employee
number, and the lists that name people are compared in any order, since that name sorts elsewhere),
and the SQL must still equal the rule counted by hand.
"""
from __future__ import annotations

import csv
import dataclasses
import json
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.framework_versions import newer_version
from tests.rule_by_hand import progress_by_hand
from tests.support import refresh_planner_statistics
from tracker import compliance, erasure, figures, staff_history
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.framework_import import import_framework
from tracker.framework_years import framework_of
from tracker.models import (Activity, ActivityStatus, Exemption, ExemptionReason, LeadershipAction, LeadershipActionKind,
                            OrganisationUnit, Person, PersonPeriod, Role, UnitKind)
from tracker.organisation import close_unit, move_unit, rename_unit
from tracker.portfolio import activities as portfolio_activities
from tracker.portfolio.activity_input import ActivityInput
from tracker.refusal import Refused
from tracker.reports import exporting, pages, requirement
from tracker.reports.people_list import people_list
from tracker.roster import Roster
from tracker.scope_filters import Filters
from tracker.team import dashboard as team_dashboard
from tracker.team import exemptions as team_exemptions
from tracker.team import leadership as team_leadership
from tracker.team import services as team_services
from tracker.year_closing import first_open_day

TODAY = date(2026, 11, 30)
CLOSED = [AppraisalYear(2024), AppraisalYear(2025)]
CURRENT = AppraisalYear(2026)
TARGET = 85


@pytest.fixture
def demo(db_session, clock):
    from tracker.demo import load_demo

    clock.move_to(TODAY)
    load_demo(staff=240, years=3, seed=11, today=TODAY)
    db.session.flush()
    refresh_planner_statistics()


def _plain(value):
    """Figures as plain JSON-able data (units by id and the name they carry)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, OrganisationUnit):
        return {"id": value.id, "name": value.name}
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, Decimal)):
        return str(value)
    if hasattr(value, "_mapping"):
        return _plain(dict(value._mapping))
    if hasattr(value, "value") and hasattr(value, "name"):  # enums
        return value.value
    return value


def everyone(roster: Roster):
    return roster.people()


def figures_of(year: AppraisalYear) -> dict:
    """Every figure of `year` the tracker shows or exports, as plain data (every page of the lists of people)."""
    filters = Filters(year=year, today=TODAY)
    out = {}
    report = pages.organisation_report(everyone, filters, TODAY, TARGET, earlier_years=1)
    out["organisation"] = _plain({k: getattr(report, k) for k in
                                  ("tally", "units", "teams", "by_staff_group", "by_tier", "months")})
    for directorate in db.session.scalars(select(OrganisationUnit).where(OrganisationUnit.kind == UnitKind.DIRECTORATE)
                                          .order_by(OrganisationUnit.id)):
        on = Filters(year=year, unit=directorate, today=TODAY)
        report = pages.organisation_report(everyone, on, TODAY, TARGET)
        out[f"directorate {directorate.id}"] = _plain({k: getattr(report, k) for k in
                                                       ("tally", "units", "teams", "by_staff_group", "by_tier")})
    # Computed afresh too: the organisation report keeps a closed year's months once computed.
    out["months computed"] = _plain(figures.monthly_compliance_years(lambda y: Roster.of(y, TODAY).people(),
                                                                     [year], TODAY))
    out["behaviours"] = _plain(dataclasses.asdict(pages.behaviour_report(everyone, filters, TODAY))["coverage"])
    out["training"] = _plain(pages.training_report(everyone, filters, TODAY))
    listed = people_list(everyone, filters, TODAY, sort="team")
    out["people list"] = _plain([row for page in range(1, listed.pages + 1)
                                 for row in people_list(everyone, filters, TODAY, sort="team", page=page).rows])
    managers = db.session.scalars(select(Person).where(Person.scopes.any()).order_by(Person.id)).all()
    for manager in managers:
        board = team_dashboard.build(manager, Filters(year=year, today=TODAY), TODAY, TARGET)
        out[f"dashboard {manager.id}"] = _plain({k: getattr(board, k) for k in
                                                 ("tally", "ranked", "people_total", "coverage", "months", "observed")})
        out[f"dashboard {manager.id}"]["people"] = _plain([
            row for page in range(1, board.pages + 1)
            for row in team_dashboard.build(manager, Filters(year=year, today=TODAY), TODAY, TARGET, page=page).people])
    for key in exporting.EXPORTS:
        prepared = exporting.prepare(key, "csv", actor=None, scope=everyone, filters=filters, today=TODAY)
        out[f"export {key}"] = b"".join(prepared.body).decode("utf-8")
    return out


def as_text(figures_of_year: dict) -> str:
    return json.dumps(figures_of_year, sort_keys=True, default=str)


# Lists of people, in an order that follows their names.
NAMED_LISTS = ("people list", "export people", "export activities")


def _replaced(value, identity: dict):
    if isinstance(value, dict):
        return {k: _replaced(v, identity) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, identity) for v in value]
    return identity.get(value, value) if isinstance(value, str) else value


def as_erased(figures_of_year: dict, person: Person) -> dict:
    """What `figures_of_year` must read once `person` is erased: wherever a row named them it now
    says "Erased person" with no e-mail address or employee number, and the lists that name people
    are compared in any order (every page of them is there, so no row can slip out of view)."""
    identity = {person.name: erasure.ERASED_NAME, **{v: None for v in (person.email, person.employee_number) if v}}
    in_csv = {old: new or "" for old, new in identity.items()}
    out = {}
    for key, value in figures_of_year.items():
        if key.startswith("export "):
            rows = _replaced(list(csv.reader(value.splitlines())), in_csv)
            out[key] = sorted(rows) if key in NAMED_LISTS else rows
        elif key in NAMED_LISTS:
            out[key] = sorted(_replaced(value, identity), key=as_text)
        elif key.startswith("dashboard "):
            out[key] = {**_replaced(value, identity), "people": sorted(_replaced(value["people"], identity), key=as_text)}
        else:
            out[key] = value
    return out


def in_any_order(figures_of_year: dict) -> dict:
    """`figures_of_year` as as_erased() compares it."""
    out = {}
    for key, value in figures_of_year.items():
        if key.startswith("export "):
            rows = list(csv.reader(value.splitlines()))
            out[key] = sorted(rows) if key in NAMED_LISTS else rows
        elif key in NAMED_LISTS:
            out[key] = sorted(value, key=as_text)
        elif key.startswith("dashboard "):
            out[key] = {**value, "people": sorted(value["people"], key=as_text)}
        else:
            out[key] = value
    return out


def _to_be_erased() -> Person:
    """An ordinary member of staff the changes leave alone, in post and signed off in both closed years,
    whose name nobody else shares and who is nobody's line manager."""
    staff = _ordinary_staff()
    names = Counter(p.name for p in db.session.scalars(select(Person)))
    managers = set(db.session.scalars(select(PersonPeriod.line_manager_id)))
    for person in staff[41:]:
        signed_off = {year.start_year for year in CLOSED for a in db.session.scalars(select(Activity).where(
            Activity.owner_id == person.id, Activity.status == ActivityStatus.SIGNED_OFF,
            Activity.deleted_at.is_(None), Activity.occurred_on.between(year.starts_on, year.ends_on)))}
        in_post = all(person.id in db.session.scalars(Roster.of(year, TODAY).people().with_only_columns(
            PersonPeriod.person_id)).all() for year in CLOSED)
        if names[person.name] == 1 and person.id not in managers and len(signed_off) == len(CLOSED) and in_post:
            return person
    raise AssertionError("the demo has nobody to erase")


def _ordinary_staff() -> list[Person]:
    return [p for p in db.session.scalars(select(Person).where(Person.active.is_(True)).order_by(Person.id))
            if not p.roles]


def _change_everything_allowed(lead: Person) -> None:
    rules = compliance.load_rules(CURRENT)
    rules[2] = dataclasses.replace(rules[2], min_hours=rules[2].min_hours + 2)
    rules[1] = dataclasses.replace(rules[1], min_behaviours=rules[1].min_behaviours + 1)
    assert requirement.save(lead, CURRENT, rules, compliance.Target(90, 10), TODAY, TARGET)
    imported = import_framework(newer_version(), CURRENT, actor=lead, today=TODAY)
    assert imported.created and framework_of(CURRENT).id == imported.framework.id

    staff = _ordinary_staff()
    teams = db.session.scalars(select(OrganisationUnit).where(OrganisationUnit.kind == UnitKind.TEAM)
                               .order_by(OrganisationUnit.id)).all()
    for person, team in zip(staff[0:12], reversed(teams)):
        if team.id != person.team_id:
            staff_history.change(person, TODAY, team=team)
    for person in staff[12:20]:
        staff_history.change(person, CURRENT.starts_on, tier=3 if person.tier != 3 else 1)
    for person in staff[20:24]:
        staff_history.change(person, TODAY, staff_group=next(g for g in type(person.staff_group)
                                                            if g != person.staff_group))
    # New line managers from today: the closed years' exports keep the ones of their reference days.
    for person in staff[30:40]:
        staff_history.change(person, TODAY, line_manager=lead)
    staff_history.change(staff[40], CURRENT.starts_on, line_manager=None)
    for person in staff[24:30]:
        staff_history.leave(person, TODAY)
    db.session.flush()
    staff_history.rejoin(staff[24], TODAY)

    directorates = db.session.scalars(select(OrganisationUnit).where(OrganisationUnit.kind == UnitKind.DIRECTORATE)
                                      .order_by(OrganisationUnit.id)).all()
    moved = next(t for t in teams if t.parent_id != directorates[0].id and t.parent_id in {d.id for d in directorates})
    move_unit(moved, directorates[0], TODAY)
    rename_unit(teams[0], f"{teams[0].name} (renamed)", TODAY)
    rename_unit(directorates[1], f"{directorates[1].name} Division", CURRENT.starts_on)
    # A team closes today once everyone in it has moved to another.
    closing = next(t for t in teams[1:] if t.id != moved.id)
    for person in db.session.scalars(select(Person).where(Person.team_id == closing.id, Person.active.is_(True))):
        staff_history.change(person, TODAY, team=teams[0])
    close_unit(closing, TODAY)
    db.session.flush()
    _change_exemptions_as_allowed(staff[30])


def _change_exemptions_as_allowed(newly_exempt: Person) -> None:
    """Exemptions end early, become open-ended and are recorded open-ended, within the open years;
    one reaching back into a closed year has its end moved (all the closed years' days stay covered)."""
    manager = db.session.scalars(select(Person).where(Person.scopes.any()).order_by(Person.id)).first()
    opening = first_open_day(TODAY)
    in_force = db.session.scalars(select(Exemption).where(Exemption.ends_on > TODAY).order_by(Exemption.id)).all()
    assert len(in_force) >= 2
    team_exemptions.end_exemption(manager, in_force[0], ends_on=TODAY, today=TODAY)
    e = in_force[1]
    team_exemptions.change_exemption(manager, e, reason=e.reason, detail=e.reason_detail, starts_on=e.starts_on,
                                     ends_on=None, today=TODAY)
    for e in db.session.scalars(select(Exemption).where(Exemption.starts_on < opening, Exemption.ends_on > opening)):
        team_exemptions.change_exemption(manager, e, reason=e.reason, detail=e.reason_detail, starts_on=e.starts_on,
                                         ends_on=None, today=TODAY)
    team_services.record_exemption(manager, newly_exempt, reason=ExemptionReason.SECONDMENT, detail="",
                                   starts_on=CURRENT.starts_on, ends_on=None, today=TODAY)


def _try_to_write_into_closed_years() -> None:
    """Sign off, withdraw and back-date into a closed year: each refused, nothing written."""
    last = CLOSED[-1]
    submitted = db.session.scalars(select(Activity).where(
        Activity.status == ActivityStatus.SUBMITTED, Activity.occurred_on <= last.ends_on)).first()
    assert submitted is not None
    manager = next(p for p in db.session.scalars(select(Person).where(Person.scopes.any())) if p.id != submitted.owner_id)
    with pytest.raises(Refused):
        team_services.decide(manager, submitted, team_services.SIGN_OFF, today=TODAY)
    with pytest.raises(Refused):
        portfolio_activities.withdraw(submitted.owner, submitted, TODAY)
    owner = submitted.owner
    back_dated = ActivityInput(day=str(last.ends_on.day), month=str(last.ends_on.month), year=str(last.ends_on.year),
                               title="Back-dated", type_id=str(submitted.type_id), hours="2",
                               behaviour_ids=[str(b.id) for b in submitted.behaviours])
    with pytest.raises(Refused):
        portfolio_activities.save_activity(owner, None, back_dated, submit=True, today=TODAY, upload_folder="unused")
    with pytest.raises(Refused):
        import_framework(newer_version(), last, today=TODAY)
    with pytest.raises(Refused):
        staff_history.change(owner, last.ends_on, tier=1)
    with pytest.raises(Refused):
        staff_history.leave(owner, last.ends_on)
    with pytest.raises(Refused):
        staff_history.change(owner, last.ends_on, line_manager=None)
    _try_to_change_closed_exemptions_and_actions(manager)
    db.session.rollback()


def _try_to_change_closed_exemptions_and_actions(manager: Person) -> None:
    """An exemption in a closed year is not moved, ended or deleted; a leadership action dated in
    one is neither changed nor deleted."""
    # As one recorded while its year was open (the rollback after these attempts removes it).
    past = Exemption(person_id=_ordinary_staff()[0].id, reason=ExemptionReason.LONG_TERM_ABSENCE,
                     starts_on=CLOSED[-1].starts_on, ends_on=CLOSED[-1].ends_on)
    db.session.add(past)
    db.session.flush()
    with pytest.raises(Refused):
        team_exemptions.change_exemption(manager, past, reason=past.reason, detail=past.reason_detail,
                                         starts_on=past.starts_on + timedelta(days=1), ends_on=past.ends_on, today=TODAY)
    with pytest.raises(Refused):
        team_exemptions.change_exemption(manager, past, reason=past.reason, detail=past.reason_detail,
                                         starts_on=past.starts_on, ends_on=None, today=TODAY)
    with pytest.raises(Refused):
        team_exemptions.end_exemption(manager, past, ends_on=past.starts_on, today=TODAY)
    with pytest.raises(Refused):
        team_exemptions.delete_exemption(manager, past, today=TODAY)
    action = LeadershipAction(manager_id=manager.id, kind=LeadershipActionKind.TEAM_SESSION,
                              occurred_on=CLOSED[-1].ends_on, note="")
    db.session.add(action)
    db.session.flush()
    with pytest.raises(Refused):
        team_leadership.change_leadership_action(manager, action, kind=action.kind, occurred_on=CURRENT.starts_on,
                                                 hours=None, unit_id=None, note="moved", today=TODAY)
    with pytest.raises(Refused):
        team_leadership.delete_leadership_action(manager, action, today=TODAY)


def test_closed_years_read_the_same_after_everything_the_current_year_may_bring(demo):
    lead = next(p for p in db.session.scalars(select(Person)) if Role.EDUCATION_LEAD in p.roles)
    leaving = _to_be_erased()
    before = {year: figures_of(year) for year in CLOSED}
    identity = (leaving.name, leaving.email)
    # The erased person is named in both years' people lists, so the comparison below is no accident.
    assert all(f",{leaving.name}," in before[year]["export people"] for year in CLOSED)
    current_before = compliance.load_rules(CURRENT)
    db.session.commit()

    _try_to_write_into_closed_years()
    _change_everything_allowed(lead)
    admin = next(p for p in db.session.scalars(select(Person)) if Role.ADMIN in p.roles)
    expected = {year: as_erased(before[year], leaving) for year in CLOSED}
    erasure.erase(admin, leaving, TODAY)
    db.session.commit()

    assert compliance.load_rules(CURRENT) != current_before
    # The current year's export names the new line managers, so the closed years' sameness is no accident.
    moved = next(p for p in _ordinary_staff() if p.line_manager_id == lead.id)
    current = exporting.prepare("people", "csv", actor=None, scope=everyone, filters=Filters(year=CURRENT, today=TODAY),
                                today=TODAY)
    line = next(row for row in b"".join(current.body).decode("utf-8").splitlines() if f",{moved.name}," in row)
    assert f",{lead.name}," in line
    assert f",{lead.name}," not in before[CLOSED[-1]]["export people"].split(f",{moved.name},")[1].split("\r\n")[0]
    for year in CLOSED:
        after = figures_of(year)
        # Everything that named nobody reads byte for byte as before; the rest only lost the erased person's name.
        assert {k: v for k, v in after.items() if not k.startswith(("export people", "export activities", "people list",
                                                                   "dashboard "))} == \
            {k: v for k, v in before[year].items() if not k.startswith(("export people", "export activities",
                                                                         "people list", "dashboard "))}, year.label
        assert in_any_order(after) == expected[year], year.label
        assert not any(part in as_text(after) for part in identity), year.label

    # The SQL still equals the rule counted by hand, for every year, closed and open.
    for year in CLOSED + [CURRENT]:
        rules = compliance.load_rules(year)
        by_hand = Counter(p.status for p in progress_by_hand(year, TODAY, rules).values())
        tally = figures.roll_up(figures.status_cube(Roster.of(year, TODAY).people(), year, TODAY, rules))
        assert tally.counts == {s: by_hand[s] for s in Status}, year.label
