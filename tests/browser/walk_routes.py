"""The route table the walk of every page reads: one instance of every GET route, and who may open it.

Every GET route of the app must be named here (test_every_route_is_in_the_table fails on one that
is not), with what it answers: a page (checked with axe-core, for console errors and for sideways
scrolling at 320 px) or a file (checked for a 200 answer). Each entry says how to build its address
for a given viewer from the Walk data made in the demo organisation; an entry returns no address
for a viewer who has no instance of it (nobody else's draft is anybody's to open).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select

from tests.factories import make_prepared_export
from tracker.extensions import db

VIEWERS = {
    "visitor": None,
    "staff": "staff@example.org",
    "manager": "manager@example.org",
    "director": "director@example.org",
    "lead": "lead@example.org",
    "admin": "admin@example.org",
}
SIGNED_IN = [name for name, email in VIEWERS.items() if email]


@dataclass
class Walk:
    """Ids in the live demo organisation that the route table's addresses are made from."""

    people: dict[str, int]  # viewer -> person id
    own_drafts: dict[str, int]  # viewer -> a draft of their own
    waiting: int  # a submitted activity of staff@, with evidence, reflection shared with the manager
    evidence: int
    ward: int  # the ward manager@ has scope over
    left: int  # someone who has left
    token: str  # an unused set-password link
    exemption: int  # an open-ended exemption of someone on the ward, from today
    action: int  # a leadership action manager@ recorded for the ward
    course: int
    resource: int
    section: str
    observer_token: str = ""  # a live observer's link about staff@'s draft
    observation: int = 0  # that request
    prepared_export: int = 0  # a ready prepared export of lead@


def prepare_walk(app, today) -> Walk:
    """Make what some pages need (a draft for every viewer, a waiting activity with evidence, a
    set-password link) and read the ids the others need."""
    from tracker.auth.links import create_link
    from tracker.models import (
        Activity,
        ActivityStatus,
        ActivityType,
        Course,
        EvidenceFile,
        Exemption,
        ExemptionReason,
        HubSection,
        LeadershipAction,
        LeadershipActionKind,
        ManagerScope,
        Person,
        Resource,
    )
    from tracker.portfolio import evidence

    with app.app_context():
        people = {name: db.session.scalar(select(Person).where(Person.email == email))
                  for name, email in VIEWERS.items() if email}
        kind = db.session.scalar(select(ActivityType).where(ActivityType.experiential.is_(True)).limit(1))
        day = today - timedelta(days=2)
        drafts = {name: Activity(owner_id=person.id, occurred_on=day, title=f"Walk draft of {name}",
                                 type_id=kind.id, duration_minutes=45, reflection={})
                  for name, person in people.items()}
        waiting = Activity(owner_id=people["staff"].id, occurred_on=day, title="Walk: breaking bad news",
                           type_id=kind.id, duration_minutes=90, status=ActivityStatus.SUBMITTED,
                           submitted_at=datetime.now(timezone.utc), manager_may_read=True,
                           reflection={"what": "I sat down first.", "so_what": "It slowed me down.",
                                       "now_what": "Ask what they know."})
        db.session.add_all([*drafts.values(), waiting])
        db.session.flush()
        png = evidence.CheckedFile(original_name="observer-notes.png", content_type="image/png",
                                   content=bytes.fromhex("89504e470d0a1a0a") + b"\0" * 32)
        stored = evidence.store(app.config["UPLOAD_FOLDER"], png)
        attached = EvidenceFile(activity_id=waiting.id, original_name=png.original_name, stored_name=stored,
                                content_type=png.content_type, size_bytes=len(png.content))
        db.session.add(attached)
        ward = db.session.scalar(select(ManagerScope.unit_id).where(ManagerScope.person_id == people["manager"].id)
                                 .order_by(ManagerScope.unit_id).limit(1))
        colleague = db.session.scalar(select(Person).where(Person.team_id == ward, Person.active.is_(True),
                                                           Person.id.not_in([p.id for p in people.values()]))
                                      .order_by(Person.id).limit(1))
        exemption = Exemption(person_id=colleague.id, reason=ExemptionReason.SECONDMENT, starts_on=today, ends_on=None,
                              recorded_by_id=people["manager"].id)
        action = LeadershipAction(manager_id=people["manager"].id, unit_id=ward, occurred_on=day, note="",
                                  kind=LeadershipActionKind.TEAM_SESSION)
        db.session.add_all([exemption, action])
        token, _ = create_link(people["admin"], db.session.scalar(
            select(Person).where(Person.active.is_(True), Person.email.like("%.%@example.org")).limit(1)))
        walk = Walk(
            people={name: person.id for name, person in people.items()},
            own_drafts={name: draft.id for name, draft in drafts.items()},
            waiting=waiting.id,
            evidence=0,
            ward=ward,
            left=db.session.scalar(select(Person.id).where(Person.active.is_(False)).order_by(Person.id).limit(1)),
            token=token,
            exemption=0,
            action=0,
            course=db.session.scalar(select(Course.id).order_by(Course.id).limit(1)),
            resource=db.session.scalar(select(Resource.id).order_by(Resource.id).limit(1)),
            section=db.session.scalar(select(HubSection.slug).order_by(HubSection.position).limit(1)),
        )
        db.session.flush()
        walk.evidence, walk.exemption, walk.action = attached.id, exemption.id, action.id
        walk.observer_token, observation = ask_observer(people["staff"], drafts["staff"])
        walk.observation = observation.id
        walk.prepared_export = make_prepared_export(people["lead"], app.config["UPLOAD_FOLDER"]).id
        db.session.commit()
        return walk


def ask_observer(requester, activity):
    """A live observer's link about the requester's draft: (its token, the request)."""
    from tracker.observation.requests import AskInput, allowed_domains, ask
    from tracker.portfolio.behaviours import tier_behaviours

    db.session.flush()
    behaviours = tier_behaviours(requester.tier)[:2]
    return ask(requester, activity, AskInput("Ola Observer", "ola@nhs.net", [str(b.id) for b in behaviours], ""),
               allowed_domains("nhs.net"))


Address = Callable[[Walk, str], list[dict]]


def always(**values) -> Address:
    return lambda walk, viewer: [values]


def own_draft(walk: Walk, viewer: str) -> list[dict]:
    return [{"activity_id": walk.own_drafts[viewer]}] if viewer in walk.own_drafts else []


def waiting_activity(walk: Walk, viewer: str) -> list[dict]:
    # The author, their line manager and the director over the ward; nobody else may open it.
    return [{"activity_id": walk.waiting}] if viewer in ("manager", "director") else []


def staff_member(walk: Walk, viewer: str) -> list[dict]:
    return [{"person_id": walk.people["staff"]}]


@dataclass(frozen=True)
class Route:
    address: Address
    file: bool = False  # a download rather than a page
    only: tuple[str, ...] = field(default=())  # viewers who open it, when the permission is not enough
    # Why the walk opens no instance of it (its pages are walked, axe-checked, elsewhere): only for
    # routes that need what the walk's app does not have.
    elsewhere: str = ""


ROUTES: dict[str, Route] = {
    "home.index": Route(always()),
    "home.health": Route(always(), file=True),
    "pages.page": Route(lambda walk, viewer: [{"path": p} for p in
                                              ("accessibility-statement", "privacy", "cookies", "help")]),
    "auth.sign_in": Route(always(), only=("visitor",)),
    "auth.set_password": Route(lambda walk, viewer: [{"token": walk.token}], only=("visitor",)),
    "auth.forgotten_password": Route(always(), only=("visitor",)),
    "auth.change_own_password": Route(always()),
    "auth.notifications.settings": Route(always()),
    "auth.sessions.index": Route(always()),
    "auth.sessions.time_left": Route(always(), file=True),
    # The second step of signing in: without a password typed they lead back to "Sign in"; the
    # pages themselves are walked in test_second_factor_journey.py.
    "auth.second_factor": Route(always(), only=("visitor",)),
    "auth.recovery_code": Route(always(), only=("visitor",)),
    "auth.set_up_second_factor": Route(always(), only=("visitor",)),
    # Single sign-on needs a provider, and the walk's app has none (its sign-in page is the one
    # without SSO): tests/browser/test_sso_journey.py walks them with providers on 127.0.0.1.
    "auth.sso_start": Route(lambda walk, viewer: [], elsewhere="needs a provider: test_sso_journey.py"),
    "auth.sso_return": Route(lambda walk, viewer: [], elsewhere="needs a provider: test_sso_journey.py"),
    "static": Route(always(filename="app.css"), file=True),
    "assets": Route(always(filename="images/favicon.svg"), file=True),
    # The hub
    "hub.index": Route(always()),
    "hub.section": Route(lambda walk, viewer: [{"slug": walk.section}]),
    "hub.framework": Route(always()),
    "hub.catalogue": Route(always()),
    "hub.course": Route(lambda walk, viewer: [{"course_id": walk.course}]),
    "hub.resources": Route(always()),
    "hub.edit.section_text": Route(lambda walk, viewer: [{"slug": walk.section}]),
    "hub.edit.course_new": Route(always()),
    "hub.edit.course_edit": Route(lambda walk, viewer: [{"course_id": walk.course}]),
    "hub.edit.resource_new": Route(always()),
    "hub.edit.resource_edit": Route(lambda walk, viewer: [{"resource_id": walk.resource}]),
    # My portfolio
    "portfolio.my_year": Route(always()),
    "portfolio.portfolio": Route(always()),
    "portfolio.log_activity": Route(always()),
    "portfolio.activity": Route(own_draft),
    "portfolio.edit_activity": Route(own_draft),
    "portfolio.delete_activity": Route(own_draft),
    "portfolio.export_my_data": Route(always(), file=True),
    # The activity form's copy of what was typed (JSON, read by the form's script).
    "portfolio.typed_copy.show": Route(always(), file=True),
    "observation.ask": Route(own_draft),
    "observation.colleagues": Route(lambda walk, viewer: [{**values, "name": "smith"} for values in own_draft(walk, viewer)]),
    "observation.cancel": Route(lambda walk, viewer: [{"request_id": walk.observation}] if viewer == "staff" else []),
    # The observer's form opens without signing in: a visitor with the live link; staff@, who asked,
    # is told the link is for their observer.
    "observation.answer": Route(lambda walk, viewer: [{"token": walk.observer_token}], only=("visitor", "staff")),
    "portfolio.evidence_download": Route(
        lambda walk, viewer: [{"evidence_id": walk.evidence}] if viewer in ("staff", "manager", "director") else [],
        file=True, only=("staff", "manager", "director")),
    # Managers
    "team.dashboard": Route(always()),
    "team.queue": Route(lambda walk, viewer: [{}, {"include": "scope"}]),
    "team.activity": Route(waiting_activity),
    # Only the decider (the line manager) may sign it off, alone or with others.
    "team.check_sign_off": Route(lambda walk, viewer: [{"activity_id": walk.waiting}] if viewer == "manager" else []),
    "team.reflection": Route(waiting_activity),
    "team.person": Route(staff_member),
    "team.record_exemption": Route(staff_member),
    "team.open_ended_exemptions": Route(always()),
    "team.change_exemption": Route(lambda walk, viewer: [{"exemption_id": walk.exemption}]),
    "team.end_exemption": Route(lambda walk, viewer: [{"exemption_id": walk.exemption}]),
    "team.delete_exemption": Route(lambda walk, viewer: [{"exemption_id": walk.exemption}]),
    "team.change_leadership_action": Route(lambda walk, viewer: [{"action_id": walk.action}]),
    "team.delete_leadership_action": Route(lambda walk, viewer: [{"action_id": walk.action}]),
    "team.record_leadership_action": Route(always()),
    # Reports
    "reports.organisation": Route(always()),
    "reports.people": Route(lambda walk, viewer: [{}, {"status": "not_started"}]),
    "reports.behaviours": Route(always()),
    "reports.training": Route(always()),
    "reports.requirement": Route(always()),
    "reports.framework_version": Route(always()),
    "reports.export": Route(always(key="people", fmt="csv"), file=True),
    "reports.prepared_exports": Route(always()),
    "reports.prepared_download": Route(lambda walk, viewer: [{"export_id": walk.prepared_export}], file=True,
                                       only=("lead",)),
    # Administration
    "admin.people": Route(always()),
    "admin.new_person": Route(always()),
    "admin.person": Route(staff_member),
    "admin.edit_person": Route(staff_member),
    "admin.deactivate_person": Route(staff_member),
    "admin.reactivate_person": Route(lambda walk, viewer: [{"person_id": walk.left}]),
    # The confirmation, and the page that refuses (erasing oneself).
    "admin.erase_person": Route(lambda walk, viewer: [{"person_id": walk.people["staff"]},
                                                      {"person_id": walk.people["admin"]}]),
    "admin.reset_second_factor": Route(lambda walk, viewer: [{"person_id": walk.people["lead"]}]),
    "admin.teams": Route(always()),
    "admin.unit": Route(lambda walk, viewer: [{"unit_id": walk.ward}]),
    "admin.add_unit": Route(lambda walk, viewer: [{"unit_id": walk.ward}]),
    "admin.rename_unit": Route(lambda walk, viewer: [{"unit_id": walk.ward}]),
    "admin.move_unit": Route(lambda walk, viewer: [{"unit_id": walk.ward}]),
    "admin.close_unit": Route(lambda walk, viewer: [{"unit_id": walk.ward}]),
    "admin.take_scope": Route(lambda walk, viewer: [{"unit_id": walk.ward, "person_id": walk.people["manager"]}]),
    "admin.unmanaged": Route(always()),
    "admin.staff_import": Route(always()),
    "admin.staff_import_tiers": Route(always()),
    "admin.audit_trail": Route(always()),
    "admin.audit_export": Route(always(), file=True),
}
