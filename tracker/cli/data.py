"""`flask data purge`: the retention setting and the evidence grace period (tracker/retention.py).
`flask data backup` / `flask data restore`: every table and evidence file in one archive (tracker/backup)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from tracker import appraisal_year, audit, backup, retention
from tracker.extensions import db
from tracker.plurals import plural
from tracker.portfolio import evidence
from tracker.refusal import Refused

data_cli = AppGroup("data", help="Keep personal data no longer than the organisation's retention settings; "
                                  "back it up and restore it.")


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


@data_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path: str) -> None:
    """Write every table and every evidence file to one new archive at PATH (a .zip), read from one
    moment of the database. It holds personal data: keep it encrypted and access-controlled."""
    click.echo(f"Backing up to {path}:")
    try:
        backed_up = backup.backup(path, current_app.config["UPLOAD_FOLDER"], progress=click.echo)
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(None, "data.backed_up", tables=backed_up.tables, rows=backed_up.rows,
                 evidence_files=backed_up.files, archive_bytes=backed_up.archive_bytes,
                 archive_sha256=backed_up.archive_sha256, schema_revision=backed_up.schema_revision)
    db.session.commit()
    click.echo(f"Backed up {plural(backed_up.rows, 'row')} of {plural(backed_up.tables, 'table')} and "
               f"{plural(backed_up.files, 'evidence file')} ({backed_up.file_bytes:,} bytes) at schema revision "
               f"{backed_up.schema_revision} in {backed_up.seconds:.1f} s.")
    click.echo(f"Archive: {path}, {backed_up.archive_bytes:,} bytes, SHA-256 {backed_up.archive_sha256}")


@data_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
def restore_command(path: str) -> None:
    """Restore an archive of `flask data backup` into an empty database made with `flask db upgrade`
    (at the archive's schema revision) and an empty evidence folder: all of it, or nothing."""
    click.echo(f"Restoring from {path}:")
    try:
        restored = backup.restore(path, current_app.config["UPLOAD_FOLDER"], progress=click.echo)
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} Nothing was changed.") from None
    except BaseException:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        restored.discard_files()
        raise
    click.echo(f"Restored {plural(restored.rows, 'row')} and {plural(restored.files, 'evidence file')} "
               f"in {restored.seconds:.1f} s; every table's count and every file's SHA-256 match the manifest.")
