"""Admin: the audit trail, filtered and paged newest first, and its CSV export (itself audited).
Read-only: nothing here (or anywhere) edits or deletes an audit event."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from tracker import exports
from tracker.admin.routes import bp
from tracker.audit import record
from tracker.audit_trail import (LONDON, TrailFilters, actions_present, page_of_trail, people_matching,
                                 rows_for_export)
from tracker.audit_words import action_words
from tracker.extensions import db
from tracker.input_guard import record_number
from tracker.team.forms import DateInputField

EXPORTED = "audit.exported"

EXPORT_COLUMNS = exports.for_audience([
    exports.Column("occurred_at", "When (UK time)", width=20),
    exports.Column("actor", "Who", width=24),
    exports.Column("actor_subject", "Who (subject id)", width=34),
    exports.Column("action_words", "What", width=30),
    exports.Column("action", "Action", width=24),
    exports.Column("about", "About whom", width=24),
    exports.Column("about_subject", "About whom (subject id)", width=34),
    exports.Column("activity_id", "Activity", kind="int", width=10),
    exports.Column("client_address", "From address", width=18),
    exports.Column("details", "Details", width=60),
], "audit")


class AuditFilterForm(FlaskForm):
    """Filters travel in the query string, so a filtered trail can be bookmarked or shared."""

    class Meta:
        csrf = False

    person = StringField("Person", validators=[Optional(), Length(max=200, message="Person must be 200 characters or fewer")])
    action = SelectField("Action", validate_choice=False)
    from_day = DateInputField("From")
    to_day = DateInputField("To")


def _filters() -> tuple[AuditFilterForm, TrailFilters | None]:
    """The form read from the address, and the filters (None when a field has an error)."""
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", "Any action")] + [(a, action_words(a)) for a in actions_present()]
    valid = form.validate()
    if valid and form.from_day.data and form.to_day.data and form.to_day.data < form.from_day.data:
        form.to_day.errors = ["To must be the same as or after From"]
        valid = False
    if not valid:
        return form, None
    return form, TrailFilters(person=(form.person.data or "").strip(), action=form.action.data or "",
                              from_day=form.from_day.data, to_day=form.to_day.data)


@bp.route("/audit")
def audit_trail():
    form, filters = _filters()
    if filters is None:
        return render_template("admin/audit/trail.html", form=form, filters=None, page=None, people=[])
    page = page_of_trail(filters, before=request.args.get("before", type=record_number),
                         after=request.args.get("after", type=record_number))
    people = people_matching(filters.person) if filters.person else []
    return render_template("admin/audit/trail.html", form=form, filters=filters, page=page, people=people,
                           paged="before" in request.args or "after" in request.args)


@bp.route("/audit/export.csv")
def audit_export():
    """The filtered events as CSV, streamed; the export is recorded (with its row count) once sent."""
    form, filters = _filters()
    if filters is None:
        return redirect(url_for("admin.audit_trail", **request.args))
    actor = current_user._get_current_object()
    counted = exports.RowCounter(lambda: rows_for_export(filters))

    def body():
        completed = False
        try:
            yield from exports.chunks("csv", EXPORT_COLUMNS, counted, sheet_title="Audit trail", description=[])
            completed = True
        finally:
            record(actor, EXPORTED, format="csv", filters=filters.args(), rows=counted.count, completed=completed)
            db.session.commit()

    today = datetime.now(UTC).astimezone(LONDON).date()
    response = Response(stream_with_context(body()), mimetype=exports.MIMETYPES["csv"])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name("audit-trail", fmt="csv", day=today)}"')
    response.headers["Cache-Control"] = "no-store"
    return response
