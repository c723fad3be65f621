"""`flask user create`: add a person who can sign in."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.services import create_person
from tracker.extensions import db
from tracker.models import OrganisationUnit, Role, StaffGroup
from tracker.refusal import Refused

user_cli = AppGroup("user", help="Manage people who can sign in.")


@user_cli.command("create")
@click.option("--email", prompt=True, help="Email address (sign-in name).")
@click.option("--name", prompt=True, help="Full name.")
@click.option("--team", "team_name", prompt=True, help="Name of the team (organisation unit) they belong to.")
@click.option("--tier", type=click.IntRange(1, 3), default=1, show_default=True)
@click.option("--staff-group", type=click.Choice([g.value for g in StaffGroup]), default=StaffGroup.ADMIN_CLERICAL.value, show_default=True)
@click.option("--job-title", default="", help="Job title.")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), help="Extra role (repeatable).")
@click.password_option(help="Password (prompted, never echoed).")
def create_command(email, name, team_name, tier, staff_group, job_title, roles, password) -> None:
    """Create a person who can sign in."""
    team = db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.name == team_name))
    if team is None:
        raise click.ClickException(f"No organisation unit is called {team_name!r}.")
    try:
        person = create_person(
            email=email, name=name, team=team, tier=tier, staff_group=StaffGroup(staff_group),
            job_title=job_title, roles={Role(r) for r in roles}, password=password,
        )
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    click.echo(f"Created {person.name} <{person.email}>.")
