"""Upgrading a database that holds data (the demo organisation) to the dated organisation keeps
every row and every year's figures: before the upgrade the tracker counted everyone active, in
today's team and tier; after it, the roster of every year holds exactly those people."""
from __future__ import annotations

import importlib.util
import os
from collections import Counter
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

import config
from tests.rule_by_hand import progress_by_hand
from tests.support import scratch_database
from tracker import compliance, create_app, figures
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.models import OrganisationUnit, Person, UnitClosure, UnitKind
from tracker.roster import Roster

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
TODAY = date(2026, 11, 30)
YEARS = [AppraisalYear(2024), AppraisalYear(2025), AppraisalYear(2026)]
NEW_TABLES = {"person_period", "unit_period"}


def _revision_before_the_dated_organisation() -> str:
    path = os.path.join(MIGRATIONS, "versions", "0004_organisation_as_it_was.py")
    spec = importlib.util.spec_from_file_location("organisation_as_it_was", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


def _table_counts() -> dict[str, int]:
    names = sorted(set(inspect(db.engine).get_table_names()) - NEW_TABLES - {"alembic_version"})
    return {name: db.session.execute(select(func.count()).select_from(db.metadata.tables[name])).scalar()
            for name in names if name in db.metadata.tables}


def _figures_as_the_tracker_counted_before() -> dict:
    """Each year's statuses per person and team, for everyone active in today's team and tier,
    counted by hand (the rule before people had history)."""
    people = db.session.execute(select(Person.id, Person.team_id, Person.tier).where(Person.active.is_(True))).all()
    tiers = {person_id: tier for person_id, _, tier in people}
    team_of = {person_id: team_id for person_id, team_id, _ in people}
    found = {}
    for year in YEARS:
        statuses = {pid: p.status for pid, p in progress_by_hand(year, TODAY, compliance.load_rules(year), tiers).items()}
        found[year.start_year] = (statuses, Counter((team_of[pid], status) for pid, status in statuses.items()))
    return found


@pytest.fixture
def app_on_empty_database(tmp_path, clock):
    clock.move_to(TODAY)
    with scratch_database("hist", tmp_path / "history-upgrade.db") as url:
        class Cfg(config.TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(Cfg)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def test_the_demo_upgrades_without_loss_and_without_changing_a_figure(app_on_empty_database):
    from tracker.demo import load_demo

    upgrade(directory=MIGRATIONS)
    load_demo(staff=150, years=3, seed=5, today=TODAY)
    db.session.commit()
    downgrade(directory=MIGRATIONS, revision=_revision_before_the_dated_organisation())
    db.session.remove()
    assert not NEW_TABLES & set(inspect(db.engine).get_table_names())
    rows_before = _table_counts()
    before = _figures_as_the_tracker_counted_before()
    closure_before = db.session.execute(
        select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)
        .order_by(UnitClosure.ancestor_id, UnitClosure.descendant_id)).all()
    db.session.remove()

    upgrade(directory=MIGRATIONS)
    after = _table_counts()
    # Tables of later migrations arrive empty, but for the kept figures, which 0033 fills from the
    # activities (the status checks below read them), and the years 0038 marks for a rebuild (its
    # evidenced lines start empty); every table already there keeps its rows.
    assert {name: after[name] for name in rows_before} == rows_before
    assert {name: after[name] for name in after.keys() - rows_before.keys() if after[name]} == {
        "person_year_figures": after["person_year_figures"], "figures_rebuild": len(YEARS)}
    assert after["person_year_figures"] > 0 and after["person_year_line"] == 0
    assert db.session.execute(
        select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth).where(UnitClosure.current())
        .order_by(UnitClosure.ancestor_id, UnitClosure.descendant_id)).all() == closure_before
    root = db.session.scalar(select(OrganisationUnit.id).where(OrganisationUnit.kind == UnitKind.ORGANISATION))
    for year in YEARS:
        statuses, by_team = before[year.start_year]
        roster = Roster.of(year, TODAY)
        rows = db.session.execute(compliance.status_query(roster.people(), year, TODAY)).all()
        assert {row.person_id: row.status for row in rows} == {pid: s.value for pid, s in statuses.items()}, year.label
        cube = figures.status_cube(roster.people(), year, TODAY)
        counted = Counter()
        for row in cube:
            counted[row.team_id, row.status] += row.n
        assert counted == by_team
        assert figures.tallies_by_unit(figures.by_team(cube), [root], roster)[root].total == len(statuses)
    db.session.remove()
