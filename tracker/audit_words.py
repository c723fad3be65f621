"""The audit trail in plain words: what each action means and how its details read.

An action without an entry here still reads sensibly ("person.role_changed" -> "Person: role changed");
an area that adds actions may add their words here."""
from __future__ import annotations

ACTION_WORDS: dict[str, str] = {
    "auth.signed_in": "Signed in",
    "auth.sign_in_failed": "Sign-in refused",
    "auth.signed_out": "Signed out",
    "auth.sign_in_refused": "Sign-in refused before the password was checked",
    "auth.sign_in_locked": "Signing in locked after too many wrong passwords",
    "auth.sign_in_unlocked": "Unlocked signing in",
    "auth.sso_linked": "Linked their organisation account (single sign-on)",
    "auth.sso_refused": "Single sign-on refused",
    "auth.password_sign_in_refused": "Password sign-in refused: the organisation signs people in with single sign-on",
    "password.changed": "Changed their password",
    "notifications.settings_changed": "Changed their notification settings",
    "security.csrf_refused": "Form refused: missing or wrong security token",
    "security.forbidden": "Refused a page (no permission)",
    "security.use_limited": "Refused: done too many times in a short time (limits on use)",
    "security.limit_counts_unavailable": "The limits' shared counts could not be reached (each worker counts alone)",
    "security.virus_found": "Evidence file refused: the virus scanner found a virus",
    "security.virus_scan_failed": "Evidence file refused: the virus scanner could not be reached",
    "session.ended_idle": "Signed out after a time without activity",
    "session.ended_absolute": "Signed out at the end of the longest session allowed",
    "session.signed_out_everywhere": "Signed out of all devices",
    "session.signed_out_others": "Signed out of all other devices",
    "session.ended_other_device": "Signed out of another device",
    "activity.created": "Logged an activity",
    "activity.changed": "Changed an activity",
    "activity.submitted": "Submitted an activity for sign-off",
    "activity.withdrawn": "Withdrew an activity from sign-off",
    "activity.deleted": "Deleted an activity",
    "activity.signed_off": "Signed off an activity",
    "activity.returned": "Returned an activity for changes",
    "activity.decision_undone": "Undid a sign-off decision",
    "reflection.viewed": "Read a reflection",
    "observation.requested": "Asked someone to observe them",
    "observation.reminded": "Reminded an observer (a new link)",
    "observation.cancelled": "Cancelled a request for observation",
    "observation.link_opened": "An observer opened their feedback link",
    "observation.answered": "An observer sent their feedback",
    "observation.feedback_viewed": "Read an observer's feedback",
    "evidence.downloaded": "Downloaded an evidence file",
    "exemption.recorded": "Recorded an exemption",
    "exemption.changed": "Changed an exemption",
    "exemption.ended": "Ended an exemption early",
    "exemption.deleted": "Deleted an exemption",
    "leadership_action.recorded": "Recorded a leadership action",
    "leadership_action.changed": "Changed a leadership action",
    "leadership_action.deleted": "Deleted a leadership action",
    "reminder.sent": "Sent reminders",
    "portfolio.exported": "Downloaded their portfolio",
    "report.exported": "Exported a report",
    "report.export_requested": "Asked for a long export to be prepared",
    "report.prepared_downloaded": "Downloaded a prepared export",
    "requirement.changed": "Changed the annual requirement",
    "framework.imported": "Imported a framework version",
    "hub.section_saved": "Saved a hub section",
    "hub.links_checked": "Checked the hub's links",
    "audit.exported": "Exported the audit trail",
    "unit.added": "Added a unit",
    "unit.renamed": "Renamed a unit",
    "unit.moved": "Moved a unit",
    "unit.closed": "Closed a unit",
    "scope.granted": "Gave manager scope",
    "scope.removed": "Took away manager scope",
    "import.applied": "Applied a staff import",
    "person.created": "Added a person",
    "person.changed": "Changed a person's details",
    "person.deactivated": "Deactivated a person",
    "person.reactivated": "Reactivated a person",
    "person.erased": "Erased a person",
    "data.purged": "Purged data past its retention",
    "data.backed_up": "Backed up the database and the evidence files",
    "data.restored": "Restored the database and the evidence files from a backup",
    "role.granted": "Gave a role",
    "role.removed": "Took away a role",
    "set_password_link.created": "Created a set-password link",
    "password.set_by_link": "Set a password with a link",
    "password_reset.requested": "Asked for a link to reset the password",
    "mfa.enrolled": "Set up an authenticator app",
    "mfa.reset": "Reset a person's second factor",
    "mfa.code_refused": "Second-factor code refused",
    "mfa.recovery_code_used": "Signed in with a recovery code",
    "mfa.recovery_code_refused": "Recovery code refused",
}

# Detail keys whose plain name is not just the key with spaces.
DETAIL_WORDS: dict[str, str] = {
    "email_hash": "E-mail address typed (hashed)",
    "codes_left": "Recovery codes left",
    "user_agent": "Browser (user agent)",
    "fmt": "Format",
    "from_year": "Applies from year",
    "already_reminded": "Already reminded",
    "reason_detail": "Reason described",
    "unit_id": "Team (unit id)",
    "recorded_by_id": "Recorded by (person id)",
    "archive_sha256": "Archive (SHA-256)",
}

# Lists in details (people reminded ...) are cut to this many items on screen and in the CSV.
LIST_ITEMS_SHOWN = 10


def action_words(action: str) -> str:
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    area, _, what = action.partition(".")
    words = (what or area).replace("_", " ")
    return f"{area.replace('_', ' ').capitalize()}: {words}" if what else words.capitalize()


def detail_words(detail: dict | None) -> str:
    """e.g. "Export: people; Format: csv; Rows: 6"."""
    return "; ".join(f"{_key_words(key)}: {_value_words(value)}" for key, value in (detail or {}).items())


def _key_words(key: str) -> str:
    return DETAIL_WORDS.get(key) or str(key).replace("_", " ").capitalize()


def _value_words(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{_key_words(k)} {_value_words(v)}" for k, v in value.items()) + ")"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_value_words(item) for item in value[:LIST_ITEMS_SHOWN])
        more = len(value) - LIST_ITEMS_SHOWN
        return f"{shown} and {more} more" if more > 0 else shown or "none"
    return str(value)
