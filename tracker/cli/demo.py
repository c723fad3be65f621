"""`flask demo load`: fill an empty database with a made-up trust to try the tracker with."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from tracker.auth import mfa
from tracker.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, MIN_STAFF, DemoAlreadyLoaded, load_demo
from tracker.extensions import db
from tracker.models import Person

demo_cli = AppGroup(
    "demo",
    help="Demonstration data for trying the tracker locally (never for a live service).",
)


@demo_cli.command("load")
@click.option("--staff", type=click.IntRange(MIN_STAFF, 200_000), default=180, show_default=True,
              help="How many people the demo trust employs.")
@click.option("--years", type=click.IntRange(1, 10), default=2, show_default=True,
              help="Appraisal years of activity, ending with the current one.")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Random seed: the same seed gives the same people and activities.")
@click.option("--if-empty", is_flag=True,
              help="If people already exist, say so and exit successfully instead of failing.")
def load_command(staff: int, years: int, seed: int, if_empty: bool) -> None:
    """Load a demo NHS trust: teams, staff, managers, activities and exemptions.

    Only loads into a database with no people in it, so it runs once, on first start.
    Every demo account's password is the one printed at the end.
    """
    # Demo accounts share a published password: never let them near a live database.
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Refusing to load demo data with FLASK_ENV=production.")
    if if_empty and db.session.scalar(select(func.count()).select_from(Person)):
        click.echo("People already exist; demo data not loaded.")
        return
    started = time.perf_counter()
    try:
        counts = load_demo(staff=staff, years=years, seed=seed)
        db.session.commit()
    except DemoAlreadyLoaded as exc:
        db.session.rollback()
        if if_empty:
            click.echo("People already exist; demo data not loaded.")
            return
        raise click.ClickException(str(exc)) from None
    except Exception:
        db.session.rollback()
        raise
    seconds = time.perf_counter() - started

    click.echo(f"Loaded demo data in {seconds:.1f} s:")
    width = max(len(name) for name in counts)
    for table, rows in counts.items():
        click.echo(f"  {table:<{width}}  {rows:>9,}")
    click.echo("")
    click.echo(f"Sign in with any of these accounts; the password is {DEMO_PASSWORD}")
    email_width = max(len(email) for email, _ in DEMO_ACCOUNTS)
    for email, who in DEMO_ACCOUNTS:
        click.echo(f"  {email:<{email_width}}  {who}")
    click.echo(f"admin@ and lead@ then ask for a code: add the demo TOTP key {mfa.DEMO_SECRET} to an "
               "authenticator app (refused in production).")
    click.echo("")
    click.echo("Demo data is for local use only.")
