"""`flask setup` readies a fresh database: the shipped reference data and the organisation's top
unit, into which `flask user create` puts the first administrator. Run again, it changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import ActivityType, Behaviour, OrganisationUnit, Person, Role, UnitKind


def test_setup_then_the_first_administrator(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["setup", "--organisation", "Example NHS Trust"])
    assert result.exit_code == 0, result.output
    top = db.session.scalars(select(OrganisationUnit)).all()
    assert [(unit.name, unit.kind, unit.parent_id) for unit in top] == [("Example NHS Trust", UnitKind.ORGANISATION, None)]
    assert db.session.scalar(select(func.count(Behaviour.id))) > 0
    assert db.session.scalar(select(func.count(ActivityType.id))) > 0

    created = runner.invoke(args=["user", "create", "--email", "first.admin@example.org", "--name", "First Admin",
                                  "--team", "Example NHS Trust", "--role", "admin"],
                            input="a-long-enough-password\na-long-enough-password\n")
    assert created.exit_code == 0, created.output
    admin = db.session.scalar(select(Person).where(Person.email == "first.admin@example.org"))
    assert admin.roles == {Role.ADMIN} and admin.team.name == "Example NHS Trust"


def test_setup_again_changes_nothing(app, db_session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["setup", "--organisation", "Example NHS Trust"]).exit_code == 0
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (OrganisationUnit, Behaviour, ActivityType)]
    again = runner.invoke(args=["setup", "--organisation", "Another Name"])
    assert again.exit_code == 0 and "already called 'Example NHS Trust'" in again.output
    assert [db.session.scalar(select(func.count()).select_from(model))
            for model in (OrganisationUnit, Behaviour, ActivityType)] == counts
