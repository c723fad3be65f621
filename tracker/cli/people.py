"""`flask people import PATH`: the staff import of the "Import staff" page, from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import OrganisationUnit
from tracker.plurals import plural
from tracker.refusal import Refused
from tracker.staff_import import Options, StaffFileError, apply_plan, build
from tracker.staff_import.headers import FIELDS, label, remember
from tracker.staff_import.reading import MAX_FILE_BYTES

people_cli = AppGroup("people", help="Import staff from the workforce system.")


@people_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@click.option("--whole-organisation", is_flag=True,
              help="The file is the whole organisation: deactivate imported people who are not in it.")
@click.option("--extract-date", type=click.DateTime(["%Y-%m-%d"]),
              help="The day the extract was taken (YYYY-MM-DD; default today): changes and leavers are dated with it.")
@click.option("--new-teams-under", "parent_name", help="Name of the unit new teams are created under.")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=HEADING",
              help=f"Remember that a heading means a field (repeatable). Fields: {', '.join(FIELDS)}.")
def import_command(path, dry_run, whole_organisation, extract_date, parent_name, mappings) -> None:
    """Import the staff in the CSV or XLSX extract PATH. Nothing is written when any row is invalid."""
    with open(path, "rb") as handle:  # never more than the limit in memory, however big the file
        raw = handle.read(MAX_FILE_BYTES + 1)
    on = extract_date.date() if extract_date else appraisal_year.today()
    try:
        _remember(mappings)
        plan = _build(raw, Options(on, whole_organisation))
        _report(plan)
        if not plan.ready or dry_run:
            db.session.rollback()
            if dry_run and plan.ready:
                click.echo("Dry run: nothing was written.")
                if mappings:
                    db.session.commit()
                return
            raise click.exceptions.Exit(1)
        result = apply_plan(plan, None, _parent(parent_name))
        db.session.commit()
    except (StaffFileError, Refused) as error:
        db.session.rollback()
        messages = error.errors.values() if isinstance(error, Refused) else [str(error)]
        for message in messages:
            click.echo(f"error: {message}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"Applied: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
               f"{result.deactivated} deactivated, {result.teams_created} new teams.")


def _remember(mappings) -> None:
    choices = {}
    for mapping in mappings:
        field, _, heading = mapping.partition("=")
        if field not in FIELDS or not heading:
            raise click.UsageError(f"--map takes FIELD=HEADING with FIELD one of {', '.join(FIELDS)}.")
        choices[field] = heading
    remember(choices)


def _build(raw: bytes, options: Options):
    if not sys.stdout.isatty():
        return build(raw, options)
    with click.progressbar(length=max(raw.count(b"\n"), 1), label="Reading the file") as bar:
        done = [0]

        def progress(count: int) -> None:
            bar.update(count - done[0])
            done[0] = count

        plan = build(raw, options, progress)
        bar.update(bar.length - done[0])
    return plan


def _parent(name: str | None) -> OrganisationUnit | None:
    if not name:
        return None
    unit = db.session.scalar(select(OrganisationUnit).where(OrganisationUnit.name == name))
    if unit is None:
        raise click.ClickException(f"No organisation unit is called {name!r}.")
    return unit


def _report(plan) -> None:
    if plan.missing:
        click.echo("These fields have no column the importer recognises: "
                   + ", ".join(label(name) for name in plan.missing)
                   + ". Say which heading holds each with --map FIELD=HEADING.", err=True)
        if plan.columns.unrecognised:
            click.echo("Headings not recognised: " + ", ".join(plan.columns.unrecognised), err=True)
        return
    for line, reason in plan.invalid:
        click.echo(f"line {line}: {reason}", err=True)
    if plan.invalid:
        click.echo(f"{len(plan.invalid)} invalid rows: nothing was written.", err=True)
        return
    click.echo(f"{len(plan.creates)} to create, {len(plan.updates)} to update, {plan.unchanged} unchanged, "
               f"{len(plan.leavers)} to deactivate (leaving on {plan.options.extract_date:%d %B %Y}).")
    if plan.new_teams:
        click.echo("Teams that do not exist yet: " + ", ".join(name for _, name in plan.new_teams)
                   + " (created under --new-teams-under)")
    if plan.secondary:
        click.echo(f"{plural(len(plan.secondary), 'other assignment')} reported (the primary one is used).")
    if plan.without_email:
        click.echo(f"{plural(plan.without_email, 'person has', 'people have')} no e-mail address: they cannot sign in until they get one.")
