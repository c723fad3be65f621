"""`flask data purge`: the retention setting and the evidence grace period (tracker/retention.py)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from tracker import appraisal_year, retention
from tracker.extensions import db
from tracker.plurals import plural
from tracker.portfolio import evidence

data_cli = AppGroup("data", help="Keep personal data no longer than the organisation's retention settings.")


@data_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go and change nothing.")
def purge_command(dry_run: bool) -> None:
    """Erase people who left more than RETENTION_YEARS ago and remove the evidence files of activities
    deleted more than EVIDENCE_GRACE_DAYS ago; the counts go to the audit trail."""
    years, grace_days = current_app.config["RETENTION_YEARS"], current_app.config["EVIDENCE_GRACE_DAYS"]
    purged = retention.purge(appraisal_year.today(), years=years, grace_days=grace_days, dry_run=dry_run)
    if not dry_run:  # a dry run wrote nothing
        db.session.commit()
        evidence.discard(current_app.config["UPLOAD_FOLDER"], purged.files)
    erased, removed = ("Would erase", "Would remove") if dry_run else ("Erased", "Removed")
    click.echo(f"{erased} {plural(purged.people_erased, 'person', 'people')} who left more than "
               f"{plural(years, 'year')} ago.")
    click.echo(f"{removed} {plural(purged.evidence_files_removed, 'evidence file')} of activities deleted more than "
               f"{plural(grace_days, 'day')} ago.")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
