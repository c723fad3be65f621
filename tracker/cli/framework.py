"""`flask framework import PATH`: load a competence framework file, applying from a year."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import appraisal_year
from tracker.extensions import db
from tracker.framework_import import FrameworkFileError, current_framework, import_framework, read_file
from tracker.framework_years import year_from_choice
from tracker.models import Framework
from tracker.plurals import plural
from tracker.refusal import Refused

framework_cli = AppGroup("framework", help="Load and inspect competence frameworks.")


def _loaded(data) -> bool:
    return isinstance(data, dict) and db.session.scalar(select(Framework.id).where(
        Framework.code == data.get("code"), Framework.version == data.get("version"))) is not None


@framework_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--from", "applies_from", type=click.Choice(["current", "next"]),
              help="Apply the version from the current appraisal year or from the next one (asked when not given).")
@click.option("--not-current", is_flag=True, help="Load it without applying it to any appraisal year.")
def import_command(path: str, applies_from: str | None, not_current: bool) -> None:
    """Import the framework in the JSON file PATH (validated whole; nothing is written if any part is
    wrong). The first framework applies to every year; a later version applies from the current
    appraisal year or the next one, and earlier years keep theirs."""
    today = appraisal_year.today()
    try:
        data = read_file(path)
        year = None
        if not not_current and current_framework() is not None and (applies_from or not _loaded(data)):
            year = year_from_choice(applies_from or _ask(), today)
        result = import_framework(data, year, apply=not not_current, today=today)
        db.session.commit()
    except FrameworkFileError as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(1)
    except Refused as exc:
        db.session.rollback()
        for message in exc.errors.values():
            click.echo(f"error: {message}", err=True)
        raise click.exceptions.Exit(1)
    fw = result.framework
    applies = ""
    if result.applied:
        year = result.applies_from
        applies = f" It applies from {year.label}." if year else " It applies to every year."
    if result.created:
        click.echo(f"Imported {fw.short_title} version {fw.version}: {plural(result.behaviours, 'behaviour')}.{applies}")
    elif result.applied:
        click.echo(f"{fw.short_title} version {fw.version} was already loaded.{applies}")
    else:
        click.echo(f"{fw.short_title} version {fw.version} is already loaded; nothing changed.")


def _ask() -> str:
    if not sys.stdin.isatty():
        raise click.UsageError("Say which appraisal year the version applies from: --from current or --from next.")
    return click.prompt("Apply this version from the current appraisal year or the next one?",
                        type=click.Choice(["current", "next"]))
