"""`flask figures verify` and `flask figures rebuild`: the kept figures (tracker.figures.upkeep)
checked against, or rebuilt from, the activities; and each activity's kept behaviour codes
(tracker.activity_codes) against, or from, its behaviours."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from sqlalchemy import func, select

from tracker import activity_codes
from tracker.appraisal_year import AppraisalYear, start_month
from tracker.extensions import db
from tracker.figures import upkeep, verify as checking
from tracker.models import Activity


@click.group("figures", help="Each person's kept figures per appraisal year.")
def figures_cli() -> None:
    pass


def _years(year: int | None) -> list[AppraisalYear]:
    return [AppraisalYear(year, start_month())] if year is not None else upkeep.years_with_activities()


@figures_cli.command("verify")
@click.option("--year", type=int, default=None, help="Only the appraisal year starting in this calendar year.")
@with_appcontext
def verify_command(year: int | None) -> None:
    """Compare every kept figure and evidenced line with the activities, and every counted row with
    the people counted afresh; exit 1 on any difference."""
    found = []
    for each in _years(year):
        people = db.session.scalar(checking.count_people(each))
        with click.progressbar(length=people, label=f"Checking {each.label}") as bar:
            found += checking.differences(each, progress=bar.update)
        found += checking.line_differences(each) + checking.counted_differences(each)
    for d in found:
        click.echo(f"person {d.person_id}, year {d.start_year}: {d.figure} kept {d.kept!r}, rule gives {d.computed!r}")
    activities = db.session.scalar(select(func.count()).select_from(Activity))
    with click.progressbar(length=activities, label="Checking behaviour codes") as bar:
        codes = activity_codes.differences(progress=bar.update)
    for activity_id, kept, linked in codes:
        click.echo(f"activity {activity_id}: behaviour codes kept {kept!r}, its behaviours give {linked!r}")
    if found or codes:
        raise SystemExit(1)
    click.echo("Every kept figure equals the rule, and every counted row the people counted afresh.")
    click.echo("Every activity's behaviour codes equal its behaviours.")


@figures_cli.command("rebuild")
@click.option("--year", type=int, default=None, help="Only the appraisal year starting in this calendar year.")
@click.option("--marked", is_flag=True, help="Only the years waiting after a rule or framework change.")
@with_appcontext
def rebuild_command(year: int | None, marked: bool) -> None:
    """Recompute the kept figures from the activities, a year at a time (one INSERT … SELECT each)."""
    years = [AppraisalYear(y, start_month()) for y in upkeep.marked_years()] if marked else _years(year)
    with click.progressbar(years, label="Rebuilding", item_show_func=lambda y: y.label if y else "") as bar:
        for each in bar:
            upkeep.rebuild_year(each)
            db.session.commit()
    click.echo(f"Rebuilt {len(years)} {'year' if len(years) == 1 else 'years'}.")
    if year is None and not marked:  # the codes are kept per activity, not per year: the whole rebuild sets them
        activities = db.session.scalar(select(func.count()).select_from(Activity))
        with click.progressbar(length=activities, label="Setting behaviour codes") as bar:
            done = activity_codes.fill_all(progress=bar.update)
        db.session.commit()
        click.echo(f"Set the behaviour codes of {done:,} {'activity' if done == 1 else 'activities'}.")
