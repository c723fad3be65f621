"""`flask links check`: visit every catalogue and library address and report what is broken."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.hub.links import check_all_links

links_cli = AppGroup("links", help="Check the course catalogue's and resource library's links.")


@links_cli.command("check")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 120),
              help="Seconds allowed for each link, redirects included.")
@click.option("--workers", default=16, show_default=True, type=click.IntRange(1, 64),
              help="Links checked at the same time.")
@click.option("--per-host", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Most requests in flight to any one website.")
@click.option("--fail-on-broken", is_flag=True,
              help="Exit with status 1 when any link is broken (for scheduled jobs that alert).")
def check_command(timeout: float, workers: int, per_host: int, fail_on_broken: bool) -> None:
    """Check every live link, record status, final address and time, and print a report."""
    report = check_all_links(timeout=timeout, workers=workers, per_host=per_host)
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    if fail_on_broken and report.broken:
        raise click.exceptions.Exit(1)
