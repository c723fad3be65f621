"""`flask setup`: what a fresh database needs before anyone can sign in (after `flask db upgrade`):
the shipped reference data and the organisation's top unit, for `flask user create` to put the
first administrator in."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.models import UnitKind
from tracker.organisation import add_unit, organisation_root
from tracker.reference import load_reference_data


@click.command("setup")
@click.option("--organisation", "name", required=True, help="The organisation's name (its top unit).")
@with_appcontext
def setup_command(name: str) -> None:
    """Load the shipped framework, activity types, courses, rules and hub pages, and create the
    organisation's top unit. Safe to run again: nothing that exists is changed."""
    load_reference_data()
    root = organisation_root()
    if root is None:
        root = add_unit(name.strip(), UnitKind.ORGANISATION)
        click.echo(f"Created the organisation {root.name!r}.")
    elif root.name != name.strip():
        click.echo(f"The organisation is already called {root.name!r}; nothing renamed "
                   "(rename it on Teams).")
    db.session.commit()
    click.echo(f"Ready: `flask user create --team {root.name!r} --role admin` adds the first administrator.")
