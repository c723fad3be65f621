"""Who may see what: the one place for authorization.

Three layers, all here:
- every endpoint needs a signed-in person unless it is listed in PUBLIC_ENDPOINTS;
- every blueprint named in AREA_PERMISSIONS needs that permission (403 otherwise), checked
  before any view runs, so a new view cannot forget it; ENDPOINT_PERMISSIONS names the few
  endpoints that need another permission than their area's;
- every query for people or activities starts from a scoping function below, and an id
  outside the viewer's scope is a 404 (never a 403 that would confirm it exists).
The one decider rule (who signs an activity off) is in access/decider.py and re-exported here.
"""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, or_, select

from tracker.counting import live_activity, out_of_drafts
from tracker.extensions import db
from tracker.roster import Roster
from tracker.models import (
    Activity,
    Course,
    EvidenceFile,
    Exemption,
    LeadershipAction,
    ManagerScope,
    OrganisationUnit,
    Person,
    Resource,
    Role,
    UnitClosure,
)

# Roles whose power is over the whole organisation (reports, administration), not over teams.
ORGANISATION_WIDE_ROLES = frozenset({Role.EDUCATION_LEAD, Role.ADMIN})

# Permission name -> roles that hold it. Staff (every signed-in person) hold "portfolio".
PERMISSIONS: dict[str, frozenset[Role | None]] = {
    "portfolio": frozenset({None, Role.MANAGER, Role.EDUCATION_LEAD, Role.ADMIN}),
    "team": frozenset({Role.MANAGER}),
    # Also held by line managers of active staff, whatever their roles (see LINE_MANAGER_PERMISSIONS).
    "sign_off": frozenset({Role.MANAGER}),
    "reports": frozenset({Role.EDUCATION_LEAD, Role.ADMIN}),
    "catalogue.edit": frozenset({Role.EDUCATION_LEAD, Role.ADMIN}),
    "framework.manage": frozenset({Role.EDUCATION_LEAD, Role.ADMIN}),
    "requirement.manage": frozenset({Role.EDUCATION_LEAD, Role.ADMIN}),
    "admin": frozenset({Role.ADMIN}),
}

# Endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = frozenset({"static", "assets", "auth.sign_in", "home.index", "home.health",
                              "hub.index", "hub.section", "hub.framework", "pages.page",
                              "auth.set_password",  # the link's token is the credential
                              "auth.forgotten_password",  # one answer whether or not the account exists
                              # MFA: the second step of signing in; each page needs the password passed first.
                              "auth.second_factor", "auth.recovery_code", "auth.set_up_second_factor",
                              # SSO: off to the organisation's provider and back (tracker/auth/sso_routes.py).
                              "auth.sso_start", "auth.sso_return",
                              "observation.answer"})  # the observer's link: its token is the credential

# Blueprint name -> the permission every one of its endpoints needs.
AREA_PERMISSIONS: dict[str, str] = {
    "team": "team",
    "reports": "reports",
    "admin": "admin",
    # The hub's editing pages (a blueprint nested in "hub"): education leads keep the content.
    "hub.edit": "catalogue.edit",
}


# Endpoint -> the permission it needs instead of its area's. A line manager without the manager
# role signs off their reports' activities but does not see the team dashboard.
ENDPOINT_PERMISSIONS: dict[str, str] = {
    "team.queue": "sign_off",
    "team.activity": "sign_off",
    "team.decide": "sign_off",
    "team.reflection": "sign_off",
    "team.undo_decision": "sign_off",
    "team.check_sign_off": "sign_off",
    "team.sign_off_selected": "sign_off",
    # Told of unmanaged submissions by e-mail, education leads (or, with none, admins) put them right.
    "admin.unmanaged": "reports",
    "reports.requirement": "requirement.manage",
    "reports.framework_version": "framework.manage",
}

# Permissions that being the line manager of someone active gives, whatever one's roles.
LINE_MANAGER_PERMISSIONS = frozenset({"sign_off"})


class UnknownPermission(KeyError):
    pass


def can(person, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise UnknownPermission(permission)
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    allowed = PERMISSIONS[permission]
    if None in allowed or person.roles & allowed:
        return True
    return permission in LINE_MANAGER_PERMISSIONS and decides_for_line_reports(person)


def permission_for(endpoint: str | None, area: str | None) -> str | None:
    """The permission an endpoint needs beyond signing in (None: signing in is enough)."""
    return ENDPOINT_PERMISSIONS.get(endpoint) or AREA_PERMISSIONS.get(area)


def require(permission: str) -> None:
    """Abort with 403 unless the signed-in person holds `permission`."""
    if not can(current_user, permission):
        abort(403)


def is_public(endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # 404s: let the error handler answer
    return endpoint in PUBLIC_ENDPOINTS


def init_app(app) -> None:
    from tracker.extensions import login_manager

    @app.before_request
    def _enforce():
        if is_public(request.endpoint):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        permission = permission_for(request.endpoint, request.blueprint)
        if permission is not None:
            require(permission)
        return None


# --- scoping ---------------------------------------------------------------------------


def _one_or_404(query: Select):
    """The one row the query finds, or a 404 (not a 403: do not confirm that it exists)."""
    found = db.session.scalar(query)
    if found is None:
        abort(404)
    return found


def units_under(unit_ids) -> Select:
    """Ids of the given units and every unit beneath them in today's tree (one indexed join)."""
    return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id.in_(unit_ids), UnitClosure.current())


def scope_unit_ids(viewer: Person) -> Select:
    """Ids of every unit under the units the viewer manages."""
    return units_under(_managed_units(viewer))


def is_organisation_wide(viewer: Person) -> bool:
    return bool(viewer.roles & ORGANISATION_WIDE_ROLES)


def managed_people(viewer: Person) -> Select:
    """People in the units the viewer has manager scope over (empty for non-managers)."""
    if Role.MANAGER not in viewer.roles:
        return select(Person).where(False)
    return select(Person).where(Person.team_id.in_(scope_unit_ids(viewer)))


def _managed_units(viewer: Person) -> Select:
    return select(ManagerScope.unit_id).where(ManagerScope.person_id == viewer.id)


def managed_staff(viewer: Person, roster: Roster) -> Select:
    """For a year's figures: the people in post on the roster's day whose team then lay under a
    unit the viewer manages today (a people selection; empty for non-managers)."""
    people = roster.people()
    if Role.MANAGER not in viewer.roles:
        return people.where(False)
    # The units as values, not a subquery: PostgreSQL then estimates the closure beneath them from
    # its statistics of those very units (318 teams under a directorate, where a subquery's
    # average gave 3), and plans the dashboard's reads for 10,000 people rather than 150.
    return roster.in_units(people, sorted(scope.unit_id for scope in viewer.scopes))


def visible_people(viewer: Person) -> Select:
    """People the viewer may see: themselves, everyone under the units they manage,
    and everyone for education leads and admins."""
    if is_organisation_wide(viewer):
        return select(Person)
    conditions = [Person.id == viewer.id]
    if Role.MANAGER in viewer.roles:
        conditions.append(Person.team_id.in_(scope_unit_ids(viewer)))
    return select(Person).where(or_(*conditions))


def visible_person_for(viewer: Person, person_id: int) -> Person:
    """A person the viewer may see (anyone, for admins), or 404."""
    return _one_or_404(visible_people(viewer).where(Person.id == person_id))


def own_activities(viewer: Person) -> Select:
    """The viewer's own activities that have not been deleted."""
    return select(Activity).where(Activity.owner_id == viewer.id, live_activity())


def visible_activities(viewer: Person) -> Select:
    """Activities (not deleted) of the people the viewer may see; a draft only to its author."""
    people = visible_people(viewer).with_only_columns(Person.id)
    return select(Activity).where(
        Activity.owner_id.in_(people), live_activity(),
        or_(Activity.owner_id == viewer.id, out_of_drafts()),
    )


def own_activity_for(viewer: Person, activity_id: int) -> Activity:
    return _one_or_404(own_activities(viewer).where(Activity.id == activity_id))


def may_read_reflection(viewer: Person, activity: Activity) -> bool:
    """The owner always; a manager in scope only when the owner allowed it. Nobody else."""
    if activity.owner_id == viewer.id:
        return True
    if not activity.manager_may_read:
        return False
    in_scope = db.session.scalar(
        managed_people(viewer).with_only_columns(Person.id).where(Person.id == activity.owner_id)
    )
    is_line_manager = activity.owner.line_manager_id == viewer.id
    return bool(in_scope) or is_line_manager


# --- managers and reports (team and reports areas) -------------------------------------


def managed_person_for(viewer: Person, person_id: int, roster: Roster | None = None) -> Person:
    """One of the people in the viewer's manager scope, or 404. With a roster, also one who was
    in the scope on its day (whose figures of that year the viewer's dashboard counts)."""
    in_scope = managed_people(viewer).with_only_columns(Person.id)
    if roster is not None:
        then = managed_staff(viewer, roster)
        in_scope = in_scope.union(then.with_only_columns(then.selected_columns.id))
    return _one_or_404(select(Person).where(Person.id == person_id, Person.id.in_(in_scope)))


# Nobody exempts, signs off or reminds themselves: the people a manager acts on are the others in
# their scope (the decider rule, in access/decider.py, never names an activity's author either).


def managed_others(viewer: Person) -> Select:
    """People in the viewer's manager scope other than the viewer: whom they may exempt or remind."""
    return managed_people(viewer).where(Person.id != viewer.id)


def managed_other_for(viewer: Person, person_id: int) -> Person:
    """One of the people the viewer may act on as their manager, or 404 (themselves included)."""
    return _one_or_404(managed_others(viewer).where(Person.id == person_id))


def managed_units(viewer: Person) -> Select:
    """The units the viewer manages and every unit beneath them."""
    if Role.MANAGER not in viewer.roles:
        return select(OrganisationUnit).where(False)
    return select(OrganisationUnit).where(OrganisationUnit.id.in_(scope_unit_ids(viewer)))


def managed_unit_for(viewer: Person, unit_id: int):
    return _one_or_404(managed_units(viewer).where(OrganisationUnit.id == unit_id))


def reporting_staff(viewer: Person, roster: Roster) -> Select:
    """Whom an organisation report for the roster's year may count: everyone in post on its day,
    for education leads and admins (a people selection)."""
    people = roster.people()
    return people if is_organisation_wide(viewer) else people.where(False)


def reporting_unit_for(viewer: Person, unit_id: int):
    """Any unit of the organisation for education leads and admins, else 404."""
    unit = db.session.get(OrganisationUnit, unit_id) if is_organisation_wide(viewer) else None
    if unit is None:
        abort(404)
    return unit


def administered_units(viewer: Person) -> Select:
    """The units an admin may change: every open unit (closed ones are history). None for others."""
    if Role.ADMIN not in viewer.roles:
        return select(OrganisationUnit).where(False)
    return select(OrganisationUnit).where(OrganisationUnit.is_open())


def administered_unit_for(viewer: Person, unit_id: int) -> OrganisationUnit:
    return _one_or_404(administered_units(viewer).where(OrganisationUnit.id == unit_id))


def administered_scope_for(viewer: Person, unit: OrganisationUnit, person_id: int) -> ManagerScope:
    """A manager's scope over a unit the viewer administers, or 404."""
    return _one_or_404(select(ManagerScope).where(
        ManagerScope.unit_id.in_(administered_units(viewer).with_only_columns(OrganisationUnit.id)),
        ManagerScope.unit_id == unit.id, ManagerScope.person_id == person_id))


# --- activities others may open (never drafts) ---------------------------------------


def _shown_to_others() -> ColumnElement[bool]:
    """Not deleted and not a draft: a draft is its author's alone."""
    return and_(live_activity(), out_of_drafts())



def _in_scope(viewer: Person) -> ColumnElement[bool]:
    """Activities of other people in the viewer's manager scope; never drafts, never deleted ones."""
    return and_(Activity.owner_id.in_(managed_people(viewer).with_only_columns(Person.id)),
                Activity.owner_id != viewer.id, _shown_to_others())


def leadership_actions(viewer: Person) -> Select:
    """Leadership actions the viewer recorded, or that were recorded for units in their scope."""
    conditions = [LeadershipAction.manager_id == viewer.id]
    if Role.MANAGER in viewer.roles:
        conditions.append(LeadershipAction.unit_id.in_(scope_unit_ids(viewer)))
    return select(LeadershipAction).where(or_(*conditions))


def leadership_action_for(viewer: Person, action_id: int) -> LeadershipAction:
    """A leadership action the viewer may change or delete: the same ones they see (they recorded
    it, or it is for a unit in their scope), or 404."""
    return _one_or_404(leadership_actions(viewer).where(LeadershipAction.id == action_id))


def managed_exemptions(viewer: Person) -> Select:
    """Exemptions of the people in the viewer's manager scope today, their own excepted: the ones
    they may change."""
    return select(Exemption).where(Exemption.person_id.in_(managed_others(viewer).with_only_columns(Person.id)))


def managed_exemption_for(viewer: Person, exemption_id: int) -> Exemption:
    return _one_or_404(managed_exemptions(viewer).where(Exemption.id == exemption_id))


# --- the hub's catalogue and library ---------------------------------------------------


def _catalogue_entries(model, viewer) -> Select:
    """Courses or resources the viewer may see; retired ones only for those who keep them."""
    query = select(model)
    return query if can(viewer, "catalogue.edit") else query.where(model.retired.is_(False))


def visible_courses(viewer) -> Select:
    return _catalogue_entries(Course, viewer)


def course_for(viewer, course_id: int) -> Course:
    return _one_or_404(visible_courses(viewer).where(Course.id == course_id))


def visible_resources(viewer) -> Select:
    return _catalogue_entries(Resource, viewer)


def resource_for(viewer, resource_id: int) -> Resource:
    return _one_or_404(visible_resources(viewer).where(Resource.id == resource_id))


def evidence_for(viewer: Person, evidence_id: int) -> EvidenceFile:
    """An evidence file of the viewer's own activity, or of one they may open for sign-off (never
    a draft). Evidence is personal data: organisation-wide roles see counts, not files."""
    own = own_activities(viewer).with_only_columns(Activity.id)
    others = select(Activity.id).where(or_(_in_scope(viewer), may_decide(viewer)))
    return _one_or_404(select(EvidenceFile).where(
        EvidenceFile.id == evidence_id, or_(EvidenceFile.activity_id.in_(own), EvidenceFile.activity_id.in_(others))))


# The one decider rule lives beside these scopes and reads them; `access.decider_of` and the
# sign-off scopes are part of this module's face.
from tracker.access.decider import (  # noqa: E402
    decided_activities, decider_for, decider_id, decider_of, deciders_of, decides_for_anyone, decides_for_line_reports,
    decision_activity_for, may_decide, may_decide_as_line_manager, own_decision_for, recent_decisions,
    scope_units_by_manager, sign_off_activity_for, sign_off_queue, sign_off_queue_count, unmanaged_activities,
    waiting_by_decider, waiting_in_scope, withdrawn_from)
# What is the viewer's alone: their sessions, their reminders, the exports prepared for them.
from tracker.access.own import (  # noqa: E402
    own_notice_for, own_notices, own_prepared_export_for, own_prepared_exports, own_session_for, own_sessions)
# Observed practice: the requester's own requests, who reads the feedback, colleagues by name.
from tracker.access.observation import (  # noqa: E402
    answered_observations, colleague_names, may_read_observations, own_observation_request_for,
    own_observation_requests)
