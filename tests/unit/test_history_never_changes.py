"""The proof of the stable-history issue: every figure of two closed years reads the same after
everything that may happen in the current one.

A demo organisation on 30 November 2026 holds three years: 2024 and 2025 (closed) and 2026 (open).
Every figure of both closed years is recorded (organisation report for the whole organisation and
each directorate, every manager's dashboard with its people table, behaviour gaps, training
uptake, and the rows of every export as CSV bytes). Then the current rules change, a new
framework version applies from the current year, people move
team, change tier, staff group and line manager, leave and one rejoins, a team moves and another is renamed, and
signing off, withdrawing and back-dating into a closed year are tried (refused). Every recorded
figure must come back byte for byte, and the SQL must still equal the rule counted by hand.
"""
from __future__ import annotations

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
from tracker import compliance, figures, staff_history
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Status
from tracker.extensions import db
from tracker.framework_import import import_framework
from tracker.framework_years import framework_of
from tracker.models import (Activity, ActivityStatus, Exemption, ExemptionReason, LeadershipAction, LeadershipActionKind,
                            OrganisationUnit, Person, Role, UnitKind)
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


def figures_of(year: AppraisalYear) -> str:
    """Every figure of `year` the tracker shows or exports, as one JSON text."""
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
    out["people list"] = _plain(people_list(everyone, filters, TODAY, sort="team").rows)
    managers = db.session.scalars(select(Person).where(Person.scopes.any()).order_by(Person.id)).all()
    for manager in managers:
        board = team_dashboard.build(manager, Filters(year=year, today=TODAY), TODAY, TARGET)
        out[f"dashboard {manager.id}"] = _plain({k: getattr(board, k) for k in
                                                 ("tally", "ranked", "people", "people_total", "coverage", "months")})
    for key in exporting.EXPORTS:
        prepared = exporting.prepare(key, "csv", actor=None, scope=everyone, filters=filters, today=TODAY)
        out[f"export {key}"] = b"".join(prepared.body).decode("utf-8")
    return json.dumps(out, sort_keys=True, default=str)


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
    before = {year: figures_of(year) for year in CLOSED}
    current_before = compliance.load_rules(CURRENT)
    db.session.commit()

    _try_to_write_into_closed_years()
    _change_everything_allowed(lead)
    db.session.commit()

    assert compliance.load_rules(CURRENT) != current_before
    # The current year's export names the new line managers, so the closed years' sameness is no accident.
    moved = next(p for p in _ordinary_staff() if p.line_manager_id == lead.id)
    current = exporting.prepare("people", "csv", actor=None, scope=everyone, filters=Filters(year=CURRENT, today=TODAY),
                                today=TODAY)
    line = next(row for row in b"".join(current.body).decode("utf-8").splitlines() if f",{moved.name}," in row)
    assert f",{lead.name}," in line
    assert f",{lead.name}," not in before[CLOSED[-1]].split(f",{moved.name},")[1].split("\\r\\n")[0]
    for year in CLOSED:
        after = figures_of(year)
        assert after == before[year], year.label

    # The SQL still equals the rule counted by hand, for every year, closed and open.
    for year in CLOSED + [CURRENT]:
        rules = compliance.load_rules(year)
        by_hand = Counter(p.status for p in progress_by_hand(year, TODAY, rules).values())
        tally = figures.roll_up(figures.status_cube(Roster.of(year, TODAY).people(), year, TODAY, rules))
        assert tally.counts == {s: by_hand[s] for s in Status}, year.label
