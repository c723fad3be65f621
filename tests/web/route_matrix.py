"""The route x role matrix: every route and method of the app, one real instance, and the answer
each role gets. tests/web/test_route_matrix.py runs it; a route missing here fails it, and so does
a row for a route the app no longer has.

A row is one line: `row("METHOD endpoint", "expected answers", **url values, form={...})`.
- The answers are eight words, one per role in ROLES order:
    in   302 to the sign-in page (not signed in)
    200  the page (or a form shown again with its errors)
    302  a redirect elsewhere (done, or refused with a message)
    403  the area is not theirs
    404  the id is outside their scope (never confirms that it exists)
    400  the request itself is refused (the CSRF token is sent, so never for that)
- URL values and form fields that start with "@" name a thing of the organisation below
  ("@staff" is the staff member's person id); "@own_..." is the viewer's own one. Other values
  are literal. GET values that are not part of the path go in the query string.
  For the anonymous visitor, "@own_..." is the staff member's.
- A POST carries a real CSRF token of the viewer's session and the `form` fields, nothing else,
  so the gates answer (sign-in, area, scope), never the CSRF check. Most views then refuse the
  empty form (200 with errors); those that simply act (delete, retire, dismiss) do so. Each
  request runs in a savepoint that is rolled back, with the session cookie put back, so no row
  changes what the next one finds.
- A new route: one row per method (and one per instance where scope matters: the viewer's own
  or their team's, and another team's). A thing it needs that is not below goes in
  build_organisation's dictionary.

The organisation (build_organisation): Test Trust -> Cancer Services (Ward 7, Chemotherapy Day
Unit) and Surgery (Main Theatres). Staff and their manager are on Ward 7; staff and manager
"elsewhere" are on Main Theatres; the director manages Cancer Services (so Ward 7, not Theatres);
the education lead and the admin are organisation-wide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.factories import make_activity, make_person, make_prepared_export, make_tree
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import (
    ActivityStatus,
    ActivityType,
    Course,
    EvidenceFile,
    Exemption,
    ExemptionReason,
    HubSection,
    LeadershipAction,
    LeadershipActionKind,
    Notice,
    Resource,
    UserSession,
)

ROLES = ("anonymous", "staff", "staff_elsewhere", "manager", "manager_elsewhere", "director", "lead", "admin")
SIGNED_IN = ROLES[1:]


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    expected: dict[str, str]  # role -> "in", "200", "302", "400", "403" or "404"
    values: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)


def row(route: str, answers: str, form: dict | None = None, **values) -> Row:
    method, endpoint = route.split()
    words = answers.split()
    assert len(words) == len(ROLES), f"{route}: {len(words)} answers for {len(ROLES)} roles"
    assert set(words) <= {"in", "200", "302", "400", "403", "404"}, f"{route}: {answers}"
    return Row(endpoint, method, dict(zip(ROLES, words)), values, form or {})


# A copy of the activity form as its page sends it (tracker/static/portfolio.js).
TYPED_COPY = {"page": "a-page-of-the-form-0001", "fields": '{"title": "Half a title"}'}

# Columns (ROLES): anonymous, staff, staff elsewhere, manager, manager elsewhere, director,
# education lead, admin.
#                                              ano sta st2 mgr mg2 dir led adm
ROWS: list[Row] = [
    # Public pages, and the sign-in flow
    row("GET home.index",                     "200 200 200 200 200 200 200 200"),
    row("GET home.health",                    "200 200 200 200 200 200 200 200"),
    row("GET pages.page",                     "200 200 200 200 200 200 200 200", path="privacy"),
    row("GET static",                         "200 200 200 200 200 200 200 200", filename="app.css"),
    row("GET assets",                         "200 200 200 200 200 200 200 200", filename="images/favicon.svg"),
    row("GET hub.index",                      "200 200 200 200 200 200 200 200"),
    row("GET hub.section",                    "200 200 200 200 200 200 200 200", slug="@section"),
    row("GET hub.framework",                  "200 200 200 200 200 200 200 200"),
    row("GET auth.sign_in",                   "200 302 302 302 302 302 302 302"),
    row("POST auth.sign_in",                  "200 302 302 302 302 302 302 302"),
    row("POST auth.sign_out",                 "in  in  in  in  in  in  in  in"),
    row("GET auth.set_password",              "200 200 200 200 200 200 200 200", token="@token"),
    row("POST auth.set_password",             "200 200 200 200 200 200 200 200", token="@token"),
    row("GET auth.forgotten_password",        "200 302 302 302 302 302 302 302"),
    row("POST auth.forgotten_password",       "200 302 302 302 302 302 302 302"),
    # The second step of signing in answers only after a password: without one, back to sign-in.
    row("GET auth.second_factor",             "in  in  in  in  in  in  in  in"),
    row("POST auth.second_factor",            "in  in  in  in  in  in  in  in"),
    row("GET auth.recovery_code",             "in  in  in  in  in  in  in  in"),
    row("POST auth.recovery_code",            "in  in  in  in  in  in  in  in"),
    row("GET auth.set_up_second_factor",      "in  in  in  in  in  in  in  in"),
    row("POST auth.set_up_second_factor",     "in  in  in  in  in  in  in  in"),
    # Single sign-on: no provider is set in the matrix's app, so every name is unknown (404);
    # with providers, tests/web/test_sso.py.
    row("GET auth.sso_start",                 "404 404 404 404 404 404 404 404", slug="nhsmail"),
    row("GET auth.sso_return",                "404 404 404 404 404 404 404 404", slug="nhsmail"),
    row("GET auth.change_own_password",       "in  200 200 200 200 200 200 200"),
    row("GET auth.notifications.settings",    "in  200 200 200 200 200 200 200"),
    row("GET auth.sessions.index",            "in  200 200 200 200 200 200 200"),
    row("GET auth.sessions.time_left",        "in  200 200 200 200 200 200 200"),
    # Another person's session is nobody else's to end (its own owner ends theirs: tests/web/test_sessions.py).
    row("POST auth.sessions.sign_out_one",    "in  404 404 404 404 404 404 404", session_id="@session_elsewhere"),
    row("POST auth.sessions.sign_out_others", "in  302 302 302 302 302 302 302"),
    row("POST auth.sessions.sign_out_everywhere", "in  in  in  in  in  in  in  in"),
    row("POST auth.sessions.stay_signed_in",  "in  200 200 200 200 200 200 200"),
    row("POST auth.sessions.timed_out",       "in  in  in  in  in  in  in  in"),
    row("POST auth.change_own_password",      "in  200 200 200 200 200 200 200"),
    # An empty form: a decider must choose how they hear of submissions (200, shown again); anyone
    # else has just turned every e-mail that can be turned off, off (302).
    row("POST auth.notifications.settings",   "in  302 302 200 200 200 302 302"),
    # The hub, signed in
    row("GET hub.catalogue",                  "in  200 200 200 200 200 200 200"),
    row("GET hub.course",                     "in  200 200 200 200 200 200 200", course_id="@course"),
    row("GET hub.resources",                  "in  200 200 200 200 200 200 200"),
    row("GET hub.edit.section_text",          "in  403 403 403 403 403 200 200", slug="@section"),
    row("POST hub.edit.section_text",         "in  403 403 403 403 403 302 302", slug="@section"),
    row("GET hub.edit.course_new",            "in  403 403 403 403 403 200 200"),
    row("POST hub.edit.course_new",           "in  403 403 403 403 403 200 200"),
    row("GET hub.edit.course_edit",           "in  403 403 403 403 403 200 200", course_id="@course"),
    row("POST hub.edit.course_edit",          "in  403 403 403 403 403 200 200", course_id="@course"),
    row("POST hub.edit.course_retire",        "in  403 403 403 403 403 302 302", course_id="@course"),
    row("POST hub.edit.course_restore",       "in  403 403 403 403 403 302 302", course_id="@course"),
    row("GET hub.edit.resource_new",          "in  403 403 403 403 403 200 200"),
    row("POST hub.edit.resource_new",         "in  403 403 403 403 403 200 200"),
    row("GET hub.edit.resource_edit",         "in  403 403 403 403 403 200 200", resource_id="@resource"),
    row("POST hub.edit.resource_edit",        "in  403 403 403 403 403 200 200", resource_id="@resource"),
    row("POST hub.edit.resource_retire",      "in  403 403 403 403 403 302 302", resource_id="@resource"),
    row("POST hub.edit.resource_restore",     "in  403 403 403 403 403 302 302", resource_id="@resource"),
    # My portfolio: one's own activities; another team's activity is a 404 to all but its author
    row("GET portfolio.my_year",              "in  200 200 200 200 200 200 200"),
    row("GET portfolio.portfolio",            "in  200 200 200 200 200 200 200"),
    row("GET portfolio.export_my_data",       "in  200 200 200 200 200 200 200"),
    row("GET portfolio.log_activity",         "in  200 200 200 200 200 200 200"),
    row("POST portfolio.log_activity",        "in  200 200 200 200 200 200 200"),
    # "@waiting_elsewhere" is another team's submitted activity: only its author opens it, and a
    # submitted activity is not edited (302 back to it).
    row("GET portfolio.activity",             "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("GET portfolio.activity",             "in  404 200 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("GET portfolio.edit_activity",        "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("GET portfolio.edit_activity",        "in  404 302 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("POST portfolio.edit_activity",       "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("POST portfolio.edit_activity",       "in  404 302 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("GET portfolio.delete_activity",      "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("GET portfolio.delete_activity",      "in  404 200 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("POST portfolio.delete_activity",     "in  302 302 302 302 302 302 302", activity_id="@own_draft"),
    row("POST portfolio.delete_activity",     "in  404 302 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("POST portfolio.withdraw_activity",   "in  302 302 302 302 302 302 302", activity_id="@own_submitted"),
    row("POST portfolio.withdraw_activity",   "in  404 302 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    # Evidence: its author and the managers over them; organisation-wide roles see counts, never files.
    # Observed practice: asking from one's own draft; a request is its requester's alone; the
    # observer's link is public (its token is the credential).
    row("GET observation.ask",                "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("GET observation.ask",                "in  404 302 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("POST observation.ask",               "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("POST observation.ask",               "in  404 302 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("GET observation.colleagues",         "in  200 200 200 200 200 200 200", activity_id="@own_draft", name="sta"),
    row("GET observation.colleagues",         "in  404 200 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("GET observation.cancel",             "in  200 404 404 404 404 404 404", request_id="@observation"),
    row("POST observation.cancel",            "in  302 404 404 404 404 404 404", request_id="@observation"),
    row("POST observation.remind",            "in  200 404 404 404 404 404 404", request_id="@observation"),
    row("GET observation.answer",             "200 200 200 200 200 200 200 200", token="@observer_token"),
    row("POST observation.answer",            "200 200 200 200 200 200 200 200", token="@observer_token"),
    row("GET observation.answer",             "404 404 404 404 404 404 404 404", token="not-a-token"),
    row("GET portfolio.evidence_download",    "in  200 404 200 404 200 404 404", evidence_id="@evidence"),
    row("GET portfolio.evidence_download",    "in  404 200 404 200 404 404 404", evidence_id="@evidence_elsewhere"),
    row("POST portfolio.dismiss_notice",      "in  302 302 302 302 302 302 302", notice_id="@own_notice"),
    row("POST portfolio.dismiss_notice",      "in  404 302 404 404 404 404 404", notice_id="@notice_elsewhere"),
    # The activity form's copy of what was typed: one's own, of the new form or of one's own activity.
    row("GET portfolio.typed_copy.show",      "in  200 200 200 200 200 200 200"),
    row("GET portfolio.typed_copy.show",      "in  200 200 200 200 200 200 200", activity_id="@own_draft"),
    row("GET portfolio.typed_copy.show",      "in  404 200 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    row("POST portfolio.typed_copy.keep",     "in  200 200 200 200 200 200 200", form=TYPED_COPY),
    row("POST portfolio.typed_copy.keep",     "in  200 200 200 200 200 200 200", form=TYPED_COPY,
        activity_id="@own_draft"),
    row("POST portfolio.typed_copy.keep",     "in  404 200 404 404 404 404 404", form=TYPED_COPY,
        activity_id="@waiting_elsewhere"),
    row("POST portfolio.typed_copy.keep",     "in  400 400 400 400 400 400 400", form={"fields": "{}"}),
    row("POST portfolio.typed_copy.forget",   "in  200 200 200 200 200 200 200"),
    row("POST portfolio.typed_copy.forget",   "in  404 200 404 404 404 404 404", activity_id="@waiting_elsewhere"),
    # Managers: the team area, and sign-off (line managers too)
    row("GET team.dashboard",                 "in  403 403 200 200 200 403 403"),
    row("GET team.dashboard",                 "in  403 403 200 404 200 403 403", unit="@ward"),
    row("GET team.dashboard",                 "in  403 403 404 200 404 403 403", unit="@theatres"),
    row("POST team.send_reminders",           "in  403 403 200 404 200 403 403", form={"person_id": "@staff"}),
    row("POST team.send_reminders",           "in  403 403 404 200 404 403 403", form={"person_id": "@staff_elsewhere"}),
    row("GET team.person",                    "in  403 403 200 404 200 403 403", person_id="@staff"),
    row("GET team.person",                    "in  403 403 404 200 404 403 403", person_id="@staff_elsewhere"),
    row("GET team.record_exemption",          "in  403 403 200 404 200 403 403", person_id="@staff"),
    row("GET team.record_exemption",          "in  403 403 404 200 404 403 403", person_id="@staff_elsewhere"),
    row("POST team.record_exemption",         "in  403 403 200 404 200 403 403", person_id="@staff"),
    row("POST team.record_exemption",         "in  403 403 404 200 404 403 403", person_id="@staff_elsewhere"),
    # Nobody exempts themselves: their own id is outside what they may act on.
    row("GET team.record_exemption",          "in  403 403 404 404 404 403 403", person_id="@own_person"),
    row("POST team.record_exemption",         "in  403 403 404 404 404 403 403", person_id="@own_person"),
    row("GET team.open_ended_exemptions",     "in  403 403 200 200 200 403 403"),
    row("GET team.change_exemption",          "in  403 403 200 404 200 403 403", exemption_id="@exemption"),
    row("GET team.change_exemption",          "in  403 403 404 200 404 403 403", exemption_id="@exemption_elsewhere"),
    row("POST team.change_exemption",         "in  403 403 200 404 200 403 403", exemption_id="@exemption"),
    row("POST team.change_exemption",         "in  403 403 404 200 404 403 403", exemption_id="@exemption_elsewhere"),
    row("GET team.end_exemption",             "in  403 403 200 404 200 403 403", exemption_id="@exemption"),
    row("GET team.end_exemption",             "in  403 403 404 200 404 403 403", exemption_id="@exemption_elsewhere"),
    row("POST team.end_exemption",            "in  403 403 200 404 200 403 403", exemption_id="@exemption"),
    row("POST team.end_exemption",            "in  403 403 404 200 404 403 403", exemption_id="@exemption_elsewhere"),
    row("GET team.delete_exemption",          "in  403 403 200 404 200 403 403", exemption_id="@exemption"),
    row("GET team.delete_exemption",          "in  403 403 404 200 404 403 403", exemption_id="@exemption_elsewhere"),
    row("POST team.delete_exemption",         "in  403 403 302 404 302 403 403", exemption_id="@exemption"),
    row("POST team.delete_exemption",         "in  403 403 404 302 404 403 403", exemption_id="@exemption_elsewhere"),
    row("GET team.record_leadership_action",  "in  403 403 200 200 200 403 403"),
    row("POST team.record_leadership_action", "in  403 403 200 200 200 403 403"),
    row("GET team.change_leadership_action",  "in  403 403 200 404 200 403 403", action_id="@action"),
    row("GET team.change_leadership_action",  "in  403 403 404 200 404 403 403", action_id="@action_elsewhere"),
    row("POST team.change_leadership_action", "in  403 403 200 404 200 403 403", action_id="@action"),
    row("POST team.change_leadership_action", "in  403 403 404 200 404 403 403", action_id="@action_elsewhere"),
    row("GET team.delete_leadership_action",  "in  403 403 200 404 200 403 403", action_id="@action"),
    row("GET team.delete_leadership_action",  "in  403 403 404 200 404 403 403", action_id="@action_elsewhere"),
    row("POST team.delete_leadership_action", "in  403 403 302 404 302 403 403", action_id="@action"),
    row("POST team.delete_leadership_action", "in  403 403 404 302 404 403 403", action_id="@action_elsewhere"),
    row("GET team.queue",                     "in  403 403 200 200 200 403 403"),
    row("GET team.activity",                  "in  403 403 200 404 200 403 403", activity_id="@waiting"),
    row("GET team.activity",                  "in  403 403 404 200 404 403 403", activity_id="@waiting_elsewhere"),
    row("GET team.reflection",                "in  403 403 200 404 200 403 403", activity_id="@waiting"),
    row("GET team.reflection",                "in  403 403 404 200 404 403 403", activity_id="@waiting_elsewhere"),
    # Only the decider (the author's line manager) decides; the director over the ward sees it, does not decide.
    row("POST team.decide",                   "in  403 403 200 404 404 403 403", activity_id="@waiting"),
    row("POST team.decide",                   "in  403 403 404 200 404 403 403", activity_id="@waiting_elsewhere"),
    row("POST team.undo_decision",            "in  403 403 302 404 404 403 403", activity_id="@decided"),
    row("POST team.undo_decision",            "in  403 403 404 302 404 403 403", activity_id="@decided_elsewhere"),
    row("GET team.check_sign_off",            "in  403 403 200 404 404 403 403", activity_id="@waiting"),
    row("GET team.check_sign_off",            "in  403 403 404 200 404 403 403", activity_id="@waiting_elsewhere"),
    row("POST team.sign_off_selected",        "in  403 403 302 404 404 403 403", form={"activity_id": "@waiting"}),
    row("POST team.sign_off_selected",        "in  403 403 404 302 404 403 403", form={"activity_id": "@waiting_elsewhere"}),
    # Reports: education leads and admins
    row("GET reports.organisation",           "in  403 403 403 403 403 200 200"),
    row("GET reports.people",                 "in  403 403 403 403 403 200 200"),
    row("GET reports.people",                 "in  403 403 403 403 403 200 200", unit="@theatres"),
    row("GET reports.behaviours",             "in  403 403 403 403 403 200 200"),
    row("GET reports.training",               "in  403 403 403 403 403 200 200"),
    row("GET reports.export",                 "in  403 403 403 403 403 200 200", key="people", fmt="csv"),
    # Prepared exports: the list is each one's own; a file is its requester's alone (the lead's
    # here), a 404 to the admin, who may export reports too. An empty request names no export.
    row("GET reports.prepared_exports",       "in  403 403 403 403 403 200 200"),
    row("POST reports.prepared_exports",      "in  403 403 403 403 403 400 400"),
    row("GET reports.prepared_download",      "in  403 403 403 403 403 200 404", export_id="@prepared_export"),
    row("GET reports.requirement",            "in  403 403 403 403 403 200 200"),
    row("POST reports.requirement",           "in  403 403 403 403 403 200 200"),
    row("GET reports.framework_version",      "in  403 403 403 403 403 200 200"),
    row("POST reports.framework_version",     "in  403 403 403 403 403 200 200"),
    # Administration: admins only, over the whole organisation
    row("GET admin.people",                   "in  403 403 403 403 403 403 200"),
    row("GET admin.new_person",               "in  403 403 403 403 403 403 200"),
    row("POST admin.new_person",              "in  403 403 403 403 403 403 200"),
    row("GET admin.person",                   "in  403 403 403 403 403 403 200", person_id="@staff_elsewhere"),
    row("GET admin.edit_person",              "in  403 403 403 403 403 403 200", person_id="@staff"),
    row("POST admin.edit_person",             "in  403 403 403 403 403 403 200", person_id="@staff"),
    row("POST admin.create_set_password_link", "in  403 403 403 403 403 403 200", person_id="@staff"),
    row("GET admin.reset_second_factor",      "in  403 403 403 403 403 403 200", person_id="@lead"),
    row("POST admin.reset_second_factor",     "in  403 403 403 403 403 403 302", person_id="@lead"),
    row("POST admin.unlock_sign_in",          "in  403 403 403 403 403 403 302", person_id="@staff"),
    row("GET admin.deactivate_person",        "in  403 403 403 403 403 403 200", person_id="@staff"),
    row("POST admin.deactivate_person",       "in  403 403 403 403 403 403 200", person_id="@staff"),
    row("GET admin.reactivate_person",        "in  403 403 403 403 403 403 200", person_id="@left"),
    row("POST admin.reactivate_person",       "in  403 403 403 403 403 403 200", person_id="@left"),
    row("GET admin.erase_person",             "in  403 403 403 403 403 403 200", person_id="@left"),
    row("POST admin.erase_person",            "in  403 403 403 403 403 403 302", person_id="@left"),
    row("GET admin.teams",                    "in  403 403 403 403 403 403 200"),
    row("GET admin.unit",                     "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("GET admin.add_unit",                 "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("POST admin.add_unit",                "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("GET admin.rename_unit",              "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("POST admin.rename_unit",             "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("GET admin.move_unit",                "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("POST admin.move_unit",               "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("GET admin.close_unit",               "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("POST admin.close_unit",              "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("POST admin.give_scope",              "in  403 403 403 403 403 403 200", unit_id="@ward"),
    row("GET admin.take_scope",               "in  403 403 403 403 403 403 200", unit_id="@ward", person_id="@manager"),
    row("POST admin.take_scope",              "in  403 403 403 403 403 403 302", unit_id="@ward", person_id="@manager"),
    row("GET admin.unmanaged",                "in  403 403 403 403 403 200 200"),
    row("GET admin.staff_import",             "in  403 403 403 403 403 403 200"),
    row("POST admin.staff_import",            "in  403 403 403 403 403 403 200"),
    row("POST admin.staff_import_map",        "in  403 403 403 403 403 403 200"),
    row("POST admin.staff_import_apply",      "in  403 403 403 403 403 403 200"),
    row("GET admin.staff_import_tiers",       "in  403 403 403 403 403 403 200"),
    row("POST admin.staff_import_tiers",      "in  403 403 403 403 403 403 302"),
    row("GET admin.audit_trail",              "in  403 403 403 403 403 403 200"),
    row("GET admin.audit_export",             "in  403 403 403 403 403 403 200"),
]


# --- the organisation the rows name --------------------------------------------------------

EMAILS = {role: f"{role.replace('_', '-')}@example.org" for role in SIGNED_IN}


def ask_observer(requester, activity):
    """A live observer's link about the requester's draft: (its token, the request)."""
    from tracker.observation.requests import AskInput, allowed_domains, ask
    from tracker.portfolio.behaviours import tier_behaviours

    db.session.flush()
    behaviour = tier_behaviours(requester.tier)[0]
    return ask(requester, activity, AskInput("Ola Observer", "ola@nhs.net", [str(behaviour.id)], ""),
               allowed_domains("nhs.net"))


def build_organisation(day: date, upload_folder: str) -> dict:
    """Make the people and things the rows name ("@name"); per-viewer things are dicts by role.
    `day` is a recent day of the current appraisal year; evidence is stored in `upload_folder`."""
    from tracker.auth.links import create_link
    from tracker.portfolio import evidence

    tree = make_tree()
    ward, theatres, cancer = tree["ward7"], tree["theatres"], tree["cancer"]
    p = {}
    p["manager"] = make_person(ward, email=EMAILS["manager"], tier=3, roles=["manager"], scope=[ward])
    p["staff"] = make_person(ward, email=EMAILS["staff"], line_manager=p["manager"])
    p["manager_elsewhere"] = make_person(theatres, email=EMAILS["manager_elsewhere"], tier=3, roles=["manager"],
                                         scope=[theatres])
    p["staff_elsewhere"] = make_person(theatres, email=EMAILS["staff_elsewhere"], line_manager=p["manager_elsewhere"])
    p["director"] = make_person(tree["clinic"], email=EMAILS["director"], tier=3, roles=["manager"], scope=[cancer])
    p["lead"] = make_person(tree["clinic"], email=EMAILS["lead"], roles=["education_lead"])
    p["admin"] = make_person(tree["clinic"], email=EMAILS["admin"], roles=["admin"])
    left = make_person(ward, name="Left Ward", active=False)
    kind = db.session.scalar(select(ActivityType).where(ActivityType.experiential.is_(True)).limit(1))

    def activity(owner, status=ActivityStatus.SUBMITTED, **fields):
        made = make_activity(owner, kind, occurred_on=day, status=status, title=f"Matrix activity of {owner.name}")
        made.submitted_at = None if status == ActivityStatus.DRAFT else datetime.now(UTC)
        made.reflection = {"what": "I listened.", "so_what": "It helped.", "now_what": "Keep doing it."}
        for name, value in fields.items():
            setattr(made, name, value)
        return made

    def attach(to) -> EvidenceFile:
        png = evidence.CheckedFile(original_name="notes.png", content_type="image/png",
                                   content=bytes.fromhex("89504e470d0a1a0a") + b"\0" * 32)
        stored = evidence.store(upload_folder, png)
        file = EvidenceFile(activity_id=to.id, original_name=png.original_name, stored_name=stored,
                            content_type=png.content_type, size_bytes=len(png.content))
        db.session.add(file)
        return file

    waiting = activity(p["staff"], manager_may_read=True)
    waiting_elsewhere = activity(p["staff_elsewhere"], manager_may_read=True)
    decided = activity(p["staff"], ActivityStatus.SIGNED_OFF, decided_by_id=p["manager"].id,
                       decided_at=appraisal_year.now())
    decided_elsewhere = activity(p["staff_elsewhere"], ActivityStatus.SIGNED_OFF,
                                 decided_by_id=p["manager_elsewhere"].id, decided_at=appraisal_year.now())
    files = attach(waiting), attach(waiting_elsewhere)
    exemptions = [Exemption(person_id=p[who].id, reason=ExemptionReason.SECONDMENT, starts_on=day, ends_on=None,
                            recorded_by_id=p[by].id)
                  for who, by in (("staff", "manager"), ("staff_elsewhere", "manager_elsewhere"))]
    actions = [LeadershipAction(manager_id=p[by].id, unit_id=unit.id, occurred_on=day, note="",
                                kind=LeadershipActionKind.TEAM_SESSION)
               for by, unit in (("manager", ward), ("manager_elsewhere", theatres))]
    notices = {role: Notice(person_id=p[role].id, sent_on=day, message="Please log an activity.")
               for role in SIGNED_IN}
    db.session.add_all([*exemptions, *actions, *notices.values()])
    own_drafts = {role: activity(p[role], ActivityStatus.DRAFT) for role in SIGNED_IN}
    own_submitted = {role: activity(p[role]) for role in SIGNED_IN}
    token, _ = create_link(p["admin"], p["staff"])
    observer_token, observation = ask_observer(p["staff"], own_drafts["staff"])
    other_device = UserSession(key_hash="matrix-other-device", person_id=p["staff_elsewhere"].id, generation="g",
                               created_at=datetime.now(UTC), last_seen_at=datetime.now(UTC), user_agent="")
    db.session.add(other_device)
    prepared_export = make_prepared_export(p["lead"], upload_folder)
    db.session.flush()
    return {
        **{name: person.id for name, person in p.items()},
        "left": left.id,
        "ward": ward.id,
        "theatres": theatres.id,
        "waiting": waiting.id,
        "waiting_elsewhere": waiting_elsewhere.id,
        "decided": decided.id,
        "decided_elsewhere": decided_elsewhere.id,
        "evidence": files[0].id,
        "evidence_elsewhere": files[1].id,
        "exemption": exemptions[0].id,
        "exemption_elsewhere": exemptions[1].id,
        "action": actions[0].id,
        "action_elsewhere": actions[1].id,
        "notice_elsewhere": notices["staff_elsewhere"].id,
        "own_notice": {role: notice.id for role, notice in notices.items()},
        "own_person": {role: p[role].id for role in SIGNED_IN},
        "own_draft": {role: draft.id for role, draft in own_drafts.items()},
        "own_submitted": {role: made.id for role, made in own_submitted.items()},
        "token": token,
        "observer_token": observer_token,
        "observation": observation.id,
        "session_elsewhere": other_device.id,
        "prepared_export": prepared_export.id,
        "course": db.session.scalar(select(Course.id).order_by(Course.id).limit(1)),
        "resource": db.session.scalar(select(Resource.id).order_by(Resource.id).limit(1)),
        "section": db.session.scalar(select(HubSection.slug).order_by(HubSection.position).limit(1)),
    }
