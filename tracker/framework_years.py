"""The framework version each appraisal year is measured by, and how a year counts evidence given
under any version.

A YearFramework row applies from its year on, like the requirement rules: a year takes the row with
the latest `from_year` not after it (a year before every row takes the earliest); with no rows, the
framework flagged is_current. New activities are mapped to the framework of the current year.

Behaviours of different versions are the same behaviour when they share a `lineage_id`. A year
counts an activity's behaviour as its own version of that line: evidence given under an older
version counts once, and a behaviour its version lacks does not count in it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select, update
from sqlalchemy.orm import aliased

from tracker.appraisal_year import AppraisalYear, current_year
from tracker.extensions import db
from tracker.models._types import utcnow
from tracker.models import FROM_THE_START, Behaviour, Framework, Subject, YearFramework
from tracker.refusal import Refused
from tracker.year_closing import closed_message, is_closed

NO_FRAMEWORK = -1  # matches no row: a year with no framework counts no behaviour


def framework_id_in_force(start_year: int, session=None) -> int | None:
    """The id of the framework of the year starting in `start_year` (one small query)."""
    session = session or db.session
    rows = session.execute(
        select(YearFramework.from_year, YearFramework.framework_id).order_by(YearFramework.from_year)).all()
    if rows:
        in_force = [row for row in rows if row.from_year <= start_year] or rows[:1]
        return in_force[-1].framework_id
    return session.scalar(
        select(Framework.id).where(Framework.is_current.is_(True)).order_by(Framework.id.desc()).limit(1))


def framework_id_of(year: AppraisalYear) -> int | None:
    return framework_id_in_force(year.start_year)


def framework_of(year: AppraisalYear) -> Framework | None:
    """The framework version `year` is measured by."""
    framework_id = framework_id_of(year)
    return db.session.get(Framework, framework_id) if framework_id is not None else None


def current_framework() -> Framework | None:
    """The framework of the current appraisal year: the one new activities are mapped to."""
    return framework_of(current_year())


def apply_from(framework: Framework, year: AppraisalYear | None, actor, today: date) -> bool:
    """Measure `year` and the years after it (until a later row) by `framework`; None applies it
    from the start (an installation's first framework). False when it already applied. Refused
    for a closed year: its figures must read the same for ever."""
    if year is not None and is_closed(year, today):
        raise Refused({"applies_from": closed_message(year)})
    start_year = FROM_THE_START if year is None else year.start_year
    if framework_id_in_force(start_year) == framework.id:
        return False
    if year is not None and db.session.scalar(select(YearFramework.from_year).limit(1)) is None:
        # Until now every year took the flagged framework: write that down before a later row.
        flagged = framework_id_in_force(FROM_THE_START)
        if flagged is not None:
            db.session.add(YearFramework(from_year=FROM_THE_START, framework_id=flagged))
    row = db.session.get(YearFramework, start_year)
    if row is None:
        row = YearFramework(from_year=start_year)
        db.session.add(row)
    row.framework_id, row.set_by_id, row.set_at = framework.id, getattr(actor, "id", None), utcnow()
    db.session.flush()
    from tracker.figures import upkeep  # the figures package reads this module

    upkeep.rebuild_later(upkeep.years_from(start_year))  # its behaviours count by the new version now
    _flag_the_current_years(today)
    return True


def _flag_the_current_years(today: date) -> None:
    """Keep is_current on the current year's framework, for readers of the flag alone."""
    current_id = framework_id_in_force(current_year(today).start_year)
    db.session.execute(update(Framework).where(Framework.id != current_id).values(is_current=False))
    if current_id is not None:
        db.session.execute(update(Framework).where(Framework.id == current_id).values(is_current=True))


# When an imported version starts to apply: the words of the choice, on the page and the command line.
APPLIES_FROM = {"current": "This appraisal year", "next": "Next appraisal year"}


def following(year: AppraisalYear) -> AppraisalYear:
    return AppraisalYear(year.start_year + 1, year.start_month)


def year_from_choice(choice: str, today: date) -> AppraisalYear:
    """The appraisal year a version applies from: "current" or "next" (as of `today`)."""
    this_year = current_year(today)
    return this_year if choice == "current" else following(this_year)


def years_and_frameworks(this_year: AppraisalYear, count: int = 3) -> list[tuple[AppraisalYear, Framework | None]]:
    """Next year, this year and the ones before it, each with its framework version."""
    years = [following(this_year), this_year]
    for _ in range(count - 1):
        years.append(years[-1].previous())
    return [(year, framework_of(year)) for year in years]


# --- counting a year's behaviours in SQL ------------------------------------------------
# Queries over many activities join the evidenced behaviour by its primary key and test its line
# against small id lists (hashed once), rather than joining the year's version row by row.


def _framework_or_none(framework_id: int | None) -> int:
    return framework_id if framework_id is not None else NO_FRAMEWORK


def lines_in(framework_id: int | None) -> Select:
    """The lines (lineage ids) the framework has: evidence of any of their versions counts."""
    return select(Behaviour.lineage_id).where(Behaviour.framework_id == _framework_or_none(framework_id))


def leadership_lines_in(framework_id: int | None) -> Select:
    """The lines whose behaviour in the framework belongs to a leadership subject."""
    return (select(Behaviour.lineage_id).join(Subject, Subject.id == Behaviour.subject_id)
            .where(Behaviour.framework_id == _framework_or_none(framework_id), Subject.is_leadership.is_(True)))


def evidenced_behaviour():
    """The Behaviour an activity_behaviour row points at, aliased for joining on its id."""
    return aliased(Behaviour, name="evidenced")


def behaviour_of_line(framework_id: int | None) -> dict[int, int]:
    """lineage id -> the framework's behaviour id of that line (one small query)."""
    return dict(db.session.execute(select(Behaviour.lineage_id, Behaviour.id)
                                   .where(Behaviour.framework_id == _framework_or_none(framework_id))).all())
