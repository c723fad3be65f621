"""Everything the team dashboard shows, gathered for one manager, scope and year.

No request in here: the view parses the URL, this builds the figures from tracker.figures
(a fixed number of queries however many people or teams are in scope).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func

from tracker import access, compliance, figures
from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Rule
from tracker.extensions import db
from tracker.observation import counts as observation_counts
from tracker.models import LeadershipAction, LeadershipActionKind, OrganisationUnit, Person
from tracker.paging import page_of
from tracker.roster import Roster
from tracker.scope_filters import Filters
from tracker.team import exemptions as team_exemptions

# What the hub's Leadership and management section asks of leaders, as things to do now.
LEADERSHIP_SUGGESTIONS = (
    (LeadershipActionKind.PROTECTED_TIME,
     "Give people protected learning time in the rota, so development is not squeezed out by the shift."),
    (LeadershipActionKind.OBSERVATION_ARRANGED,
     "Arrange for someone to sit in on a real conversation and give feedback afterwards."),
    (LeadershipActionKind.DEBRIEF_OR_SCHWARTZ,
     "Hold a team debrief after a difficult event, or take part in a Schwartz round."),
    (LeadershipActionKind.TEAM_SESSION,
     "Run a short communication-skills session with practice for the whole team."),
    (LeadershipActionKind.COURSE_PLACES,
     "Book places on a course that teaches the behaviours your team rarely evidences."),
)


@dataclass
class MonthRow:
    month: date
    this_year: float | None
    last_year: float | None


@dataclass
class Dashboard:
    year: AppraisalYear
    filters: Filters
    target: int
    rules: dict[int, Rule]
    tally: figures.Tally
    units: list[OrganisationUnit]  # the units the manager may choose
    ranked: list[figures.UnitFigures]
    people: list
    people_total: int
    page: int
    pages: int
    coverage: list[figures.Coverage]
    months: list[MonthRow]
    actions: list
    protected_hours: Decimal
    suggestions: list = field(default_factory=list)
    courses: list = field(default_factory=list)
    open_ended: int = 0  # open-ended exemptions in the manager's scope, to review
    observed: int = 0  # signed-off activities of the year with an answered observation

    @property
    def rag(self) -> str:
        return self.tally.rag(self.target)

    @property
    def gaps(self) -> list[figures.Coverage]:
        return [c for c in figures.lowest_first(self.coverage) if c.is_gap]

    @property
    def rarely_evidenced(self) -> figures.RarelyEvidenced:
        return figures.rarely_evidenced(self.coverage)


def scope_units(viewer: Person) -> list[OrganisationUnit]:
    return list(db.session.scalars(access.managed_units(viewer).order_by(OrganisationUnit.name)))


def units_to_rank(viewer: Person, chosen: OrganisationUnit | None, roster: Roster) -> list:
    """The chosen unit's children; with none chosen, the manager's own units (or their children);
    as the tree stood on the roster's day."""
    if chosen is not None:
        return roster.children(chosen.id)
    roots = roster.units([scope.unit_id for scope in viewer.scopes])
    if len(roots) == 1:
        return roster.children(roots[0].id)
    return roots


def managed(viewer: Person):
    """The dashboard's scope, as a function of a year's roster (see Filters.people)."""
    return lambda roster: access.managed_staff(viewer, roster)


def monthly_rows(viewer: Person, filters: Filters, year: AppraisalYear, today: date,
                 this_year: list | None = None) -> list[MonthRow]:
    """This year against last, month by month, each year measured by its own rules and people
    (this year's points given when the counted rows had them; a closed last year's are kept)."""
    def people_of(each):
        return filters.people(managed(viewer), each)
    if this_year is None:
        this_year, last_year = figures.monthly_compliance_years(people_of, [year, year.previous()], today)
    else:
        last_year = figures.monthly_keeping_closed_years(people_of, [year.previous()], today)[0]
    rows = []
    for i, start in enumerate(figures.month_starts(year)):
        this = this_year[i].percent if i < len(this_year) else None
        last = last_year[i].percent if i < len(last_year) else None
        rows.append(MonthRow(start, this, last))
    return rows


def leadership_actions(viewer: Person, year: AppraisalYear):
    in_year = (LeadershipAction.occurred_on >= year.starts_on, LeadershipAction.occurred_on <= year.ends_on)
    actions = access.leadership_actions(viewer).where(*in_year)
    rows = db.session.execute(
        actions.add_columns(OrganisationUnit.name.label("unit_name"))
        .outerjoin(OrganisationUnit, OrganisationUnit.id == LeadershipAction.unit_id)
        .order_by(LeadershipAction.occurred_on.desc(), LeadershipAction.id.desc())
        .limit(20)
    ).all()
    hours = db.session.scalar(
        actions.with_only_columns(func.coalesce(func.sum(LeadershipAction.hours), 0))
        .where(LeadershipAction.kind == LeadershipActionKind.PROTECTED_TIME)
    )
    return rows, Decimal(hours or 0)


def build(viewer: Person, filters: Filters, today: date, target: int, sort: str = "status",
          descending: bool = False, page: int = 1) -> Dashboard:
    year = filters.year
    rules = compliance.load_rules(year)
    roster = filters.roster_of(year)
    people = filters.narrow(access.managed_staff(viewer, roster), roster)
    this_year = None
    counted = filters.status is None and not figures.being_rebuilt(year)
    if counted:
        # Each person's status on the year's reference day is counted and kept (tracker.figures.counted):
        # the scope's tallies and months come from one read of those rows, deciding nobody's status.
        tallies = figures.counted_tallies(year, today, people=people)
        by_team, tally, this_year = tallies.by_team, tallies.overall, tallies.months
    else:
        cube = figures.status_cube(people, year, today, rules)
        by_team, tally = figures.by_team(cube), figures.roll_up(cube)

    units = units_to_rank(viewer, filters.unit, roster)
    ranked = figures.ranked_units(by_team, units, roster) if units else []

    statuses = [filters.status] if filters.status else None
    people_total = tally[filters.status] if filters.status else tally.total
    shown = page_of(page, people_total)
    if counted and sort == "status":  # the page's people chosen from the counted rows first
        on_page = people.where(people.selected_columns.id.in_(
            figures.people_page_in_status_order(people, year, today, shown, descending)))
        listed = figures.people_query(on_page, year, today, rules, sort=sort, descending=descending)
    else:
        listed = shown.rows(figures.people_query(people, year, today, rules, statuses=statuses, sort=sort,
                                                 descending=descending))
    rows = db.session.execute(listed).all()

    coverage = figures.behaviour_coverage(people, year, today)
    actions, protected_hours = leadership_actions(viewer, year)
    dashboard = Dashboard(
        year=year, filters=filters, target=target, rules=rules, tally=tally, units=scope_units(viewer),
        ranked=ranked, people=rows, people_total=people_total, page=shown.number, pages=shown.count, coverage=coverage,
        months=monthly_rows(viewer, filters, year, today, this_year), actions=actions, protected_hours=protected_hours,
        open_ended=team_exemptions.open_ended_count(viewer),
        observed=observation_counts.signed_off_observed(people, year),
    )
    if dashboard.rag in ("amber", "red"):
        dashboard.suggestions = list(LEADERSHIP_SUGGESTIONS)
    gaps = dashboard.gaps
    if gaps:
        if not dashboard.suggestions:
            dashboard.suggestions = [s for s in LEADERSHIP_SUGGESTIONS
                                     if s[0] in (LeadershipActionKind.COURSE_PLACES, LeadershipActionKind.TEAM_SESSION)]
        # The courses that teach the behaviours the "rarely evidenced" list names.
        dashboard.courses = figures.courses_for_behaviours([c.behaviour_id for c in dashboard.rarely_evidenced.shown])
    return dashboard


def filter_people_ids(viewer: Person, filters: Filters, today: date) -> list[int]:
    """Ids of everyone listed under the filters (for "remind everyone listed")."""
    roster = filters.roster_of()
    people = filters.narrow(access.managed_staff(viewer, roster), roster)
    statuses = [filters.status] if filters.status else None
    query = figures.people_query(people, filters.year, today, statuses=statuses)
    return [row.id for row in db.session.execute(query)]


STATUS_CHOICES = [(s.value, s.label) for s in figures.STATUS_ORDER]
