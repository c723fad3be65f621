"""`flask framework import PATH`: load a competence framework file."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.framework_import import FrameworkFileError, import_framework, read_file

framework_cli = AppGroup("framework", help="Load and inspect competence frameworks.")


@framework_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--not-current", is_flag=True, help="Load it without making it the framework new activities use.")
def import_command(path: str, not_current: bool) -> None:
    """Import the framework in the JSON file PATH (validated whole; nothing is written if any part is wrong)."""
    try:
        result = import_framework(read_file(path), make_current=not not_current)
        db.session.commit()
    except FrameworkFileError as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(1)
    fw = result.framework
    if result.created:
        click.echo(f"Imported {fw.short_title} version {fw.version}: {result.behaviours} behaviours.")
    else:
        click.echo(f"{fw.short_title} version {fw.version} is already loaded; nothing changed.")
