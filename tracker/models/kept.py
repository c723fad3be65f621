"""Figures of closed years, kept once computed: nothing dated in a closed year can change, so the
same question about it always has the same answer."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, enum_column_type, utcnow
from tracker.models.people import StaffGroup


class KeptFigure(db.Model):
    __tablename__ = "kept_figure"

    # A hash of the question: the figure's kind, the year, its rules and framework, and the exact
    # SQL (with its parameters) that chooses the people counted.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    figure: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class PersonYearFigures(db.Model):
    """What counts toward the rule for one person in one appraisal year, kept up to date by
    tracker.figures.upkeep in the transaction of every change to their activities. Figures only:
    the status is decided when read (tier, exemptions and today are applied then)."""

    __tablename__ = "person_year_figures"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, autoincrement=False)
    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    logged: Mapped[int] = mapped_column(Integer, default=0)
    pending_activities: Mapped[int] = mapped_column(Integer, default=0)
    s_activities: Mapped[int] = mapped_column(Integer, default=0)
    s_minutes: Mapped[int] = mapped_column(Integer, default=0)
    s_behaviours: Mapped[int] = mapped_column(Integer, default=0)
    s_leadership: Mapped[int] = mapped_column(Integer, default=0)
    p_activities: Mapped[int] = mapped_column(Integer, default=0)
    p_minutes: Mapped[int] = mapped_column(Integer, default=0)
    p_behaviours: Mapped[int] = mapped_column(Integer, default=0)
    p_leadership: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_on: Mapped[Optional[date]] = mapped_column(Date)
    # The first month (0 the year's first) by whose end the signed-off figures meet each tier's rule,
    # so a tier change needs no recomputation; NULL while they do not.
    complete_month_1: Mapped[Optional[int]] = mapped_column(Integer)
    complete_month_2: Mapped[Optional[int]] = mapped_column(Integer)
    complete_month_3: Mapped[Optional[int]] = mapped_column(Integer)

    __table_args__ = (Index("ix_person_year_figures_start_year", "start_year", "person_id"),)


class FiguresRebuild(db.Model):
    """A year whose kept figures are being recomputed after a rule or framework change: until the
    row goes, readers compute that year from the activities and pages say so."""

    __tablename__ = "figures_rebuild"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    asked_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


# The statuses a person is counted under before the year's end decides between them (once it has
# ended, all but complete and exempt read as overdue: tracker.figures.counted).
COUNTED_STATUSES = ("not_started", "in_progress", "awaiting_sign_off", "complete", "exempt")


class CountedPerson(db.Model):
    """Where one person is counted in a year's figures on the day those were last brought up to
    date (`CountedYear.reference_day`): team, staff group and tier of that day's roster, the
    status the kept figures, exemptions and rules give then, and the month of completion. Kept by
    tracker.figures.counted; reports group these rows instead of deciding everyone's status."""

    __tablename__ = "counted_person"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, autoincrement=False)
    team_id: Mapped[int] = mapped_column(Integer)
    staff_group: Mapped[StaffGroup] = mapped_column(enum_column_type(StaffGroup, 60))
    tier: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    exempt: Mapped[int] = mapped_column(Integer)
    complete_month: Mapped[Optional[int]] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(f"status IN {COUNTED_STATUSES}", name="status"),
        # One index per grouping a report makes, each in the grouping's order: SQLite reads each
        # grouping from its index without sorting (at 100,000 staff 195 ms with one index for all, 40 here).
        Index("ix_counted_person_team", "start_year", "team_id", "status"),
        Index("ix_counted_person_staff_group", "start_year", "staff_group", "status"),
        Index("ix_counted_person_tier", "start_year", "tier", "status"),
        Index("ix_counted_person_month", "start_year", "complete_month", "exempt"),
    )


class CountedYear(db.Model):
    """A year whose people are counted (CountedPerson), and the reference day they were counted on."""

    __tablename__ = "counted_year"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reference_day: Mapped[date] = mapped_column(Date)


class PersonYearLine(db.Model):
    """A behaviour line (lineage) one person evidenced in a signed-off experiential activity of the
    year, among the lines of the year's framework: what behaviour coverage counts, kept with the
    person's figures (tracker.figures.upkeep) so coverage reads these rows, not the activities."""

    __tablename__ = "person_year_line"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, autoincrement=False)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class CountedTally(db.Model):
    """How many counted people (CountedPerson) share one key of one grouping of a year, kept by
    tracker.figures.counted_tally from the changes to the counted rows, so the whole organisation's
    report adds up a few thousand rows instead of grouping one per person.

    `part` says which grouping: 0 team and status (`number` the team), 1 staff group and status,
    2 tier (`number`) and status, 3 month of completion (`number`, -1 for none) and exemption.
    The organisation-wide groupings (1 to 3) are split into `stripe`s by person, so that saves
    across the organisation do not queue for one row each; readers add the stripes up."""

    __tablename__ = "counted_tally"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    part: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stripe: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    staff_group: Mapped[str] = mapped_column(String(60), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    exempt: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class TeamTally(db.Model):
    """Each team's counted people by status in a year, and its place in the organisation report's
    list of lowest teams, kept from the team counters (tracker.figures.team_tally). The place is
    the percent complete in tenths, or after every percent when nobody is expected: listing the
    lowest teams reads the first few places of its index instead of ranking every team, and a
    unit's figures add up one row per team beneath it. Only teams with people counted have a row."""

    __tablename__ = "team_tally"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # One column per counted status (COUNTED_STATUSES), under the status's own name.
    not_started: Mapped[int] = mapped_column(Integer)
    in_progress: Mapped[int] = mapped_column(Integer)
    awaiting_sign_off: Mapped[int] = mapped_column(Integer)
    complete: Mapped[int] = mapped_column(Integer)
    exempt: Mapped[int] = mapped_column(Integer)
    place: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_team_tally_place", "start_year", "place", "team_id"),)
