"""`flask report export ...`: the organisation exports for scheduled jobs.

Same code path as the web download (tracker.reports.exporting.prepare): same rows, same
columns, same audit entry (with no person as the actor, and source "cli").
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from tracker import scope_filters
from tracker.extensions import db
from tracker.models import OrganisationUnit
from tracker.reports import exporting

report_cli = AppGroup("report", help="Organisation reports and exports.")


@report_cli.command("export")
@click.option("--report", "key", type=click.Choice(sorted(exporting.EXPORTS)), default="people", show_default=True,
              help="Which table to export.")
@click.option("--year", default=None, help='Appraisal year by its start, e.g. 2025 for 2025 to 2026 ("all" for activities).')
@click.option("--unit", default=None, help='Organisation unit by name (everything beneath it is included).')
@click.option("--staff-group", default=None, help="Staff group, e.g. nursing_midwifery.")
@click.option("--tier", default=None, help="Tier 1, 2 or 3.")
@click.option("--status", default=None, help="Status, e.g. not_started.")
@click.option("--activity-type", default=None, help="Activity type code, e.g. team_debrief.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write.")
def export_command(key, year, unit, staff_group, tier, status, activity_type, fmt, out):
    """Write one export to PATH, with a progress bar when run at a terminal."""
    args = {"year": year or "", "staff_group": staff_group or "", "tier": tier or "", "status": status or "",
            "activity_type": activity_type or ""}
    if unit:
        found = db.session.scalars(select(OrganisationUnit).where(func.lower(OrganisationUnit.name) == unit.lower())).all()
        if len(found) != 1:
            raise click.BadParameter(f'no single unit is called "{unit}"' if not found
                                     else f'{len(found)} units are called "{unit}"; rename one first', param_hint="--unit")
        args["unit"] = str(found[0].id)

    def unit_for(viewer, unit_id):
        return db.session.get(OrganisationUnit, unit_id)

    chosen = scope_filters.parse(args, None, unit_for=unit_for, allow_all_years=exporting.EXPORTS[key].all_years)
    if chosen.errors:
        raise click.UsageError("; ".join(chosen.errors))
    today = scope_filters.today()

    show_progress = sys.stderr.isatty()
    total = _row_estimate(key, chosen, today) if show_progress else None
    with click.progressbar(length=total or 0, label=f"Exporting {key}", file=sys.stderr,
                           hidden=not show_progress) as bar:
        prepared = exporting.prepare(key, fmt, actor=None, scope=lambda roster: roster.people(), filters=chosen, today=today,
                                     source="cli", progress=bar.update)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as handle:
            for chunk in prepared.body:
                handle.write(chunk)
    click.echo(f"Wrote {out} ({out.stat().st_size:,} bytes).")


def _row_estimate(key, chosen, today) -> int | None:
    """How many rows to expect, for the progress bar (a COUNT of the same rows, terminals only)."""
    people = chosen.people(lambda roster: roster.people())
    if key == "people":
        return db.session.scalar(select(func.count()).select_from(people.order_by(None).subquery()))
    if key == "activities":
        return db.session.scalar(select(func.count()).select_from(
            exporting.activities_query(people, chosen).order_by(None).subquery()))
    return None
