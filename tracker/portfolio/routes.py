"""Staff portfolio pages: My year, log and change an activity, evidence, My portfolio, my data.

Views are thin: ask access.py for the object (or a 404), hand plain values to a service,
commit once, then redirect; refusals go back to the form.
"""
from __future__ import annotations

import json
import os
import secrets
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from tracker import access, appraisal_year
from tracker.compliance import Status
from tracker.db_retry import again_if_locked
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import ActivityStatus
from tracker.models._types import utcnow
from tracker.auth import security_events
from tracker.portfolio import (activities, behaviour_fragments, evidence, form_choices, summaries, typed_copies,
                               typed_copy_routes, virus_scan)
from tracker.observation import pages as observation_pages
from tracker.portfolio.activity_input import LONG_ACTIVITY_MINUTES, creation_key, typed_minutes
from tracker.portfolio.behaviours import allowed_behaviours, group_by_subject
from tracker.portfolio.forms import ActivityForm, ConfirmForm
from tracker.portfolio.reflection import MODELS, field_name, labelled_answers
from tracker.portfolio.years import year_from_arg
from tracker.refusal import Refused
from tracker.views import commit_or_show_errors
from tracker.year_closing import closed_message_for

bp = Blueprint("portfolio", __name__)
bp.register_blueprint(typed_copy_routes.bp)  # the form's copy of what was typed, kept on the server

FORM_ENDPOINTS = ("portfolio.log_activity", "portfolio.edit_activity")
STATUS_COLOURS = {
    Status.NOT_STARTED: "grey", Status.IN_PROGRESS: "blue", Status.AWAITING_SIGN_OFF: "yellow",
    Status.COMPLETE: "green", Status.EXEMPT: "purple", Status.OVERDUE: "red",
}
ACTIVITY_COLOURS = {
    ActivityStatus.DRAFT: "grey", ActivityStatus.SUBMITTED: "blue",
    ActivityStatus.RETURNED: "orange", ActivityStatus.SIGNED_OFF: "green",
}


def today() -> date:
    return appraisal_year.today()


def upload_folder() -> str:
    return current_app.config["UPLOAD_FOLDER"]


@bp.context_processor
def _helpers():
    return {
        "status_colour": STATUS_COLOURS,
        "activity_colour": ACTIVITY_COLOURS,
        "Status": Status,
        "ActivityStatus": ActivityStatus,
    }


def _autosave_key(activity=None) -> str:
    return f"tracker:{current_user.id}:activity:{activity.id if activity is not None else 'new'}"


def _close_typed_copies(activity, saved_activity) -> None:
    """The form was saved: its copy of what was typed goes, and a copy this page sent a moment ago
    is not taken later; a new activity's own form starts with none."""
    now = appraisal_year.now()
    typed_copies.close(current_user, typed_copies.form_of(activity),
                       typed_copies.page_id(request.form.get("typing_page")), now)
    if activity is None:
        typed_copies.close(current_user, typed_copies.form_of(saved_activity), None, now)


def _year_asked_for() -> appraisal_year.AppraisalYear:
    """The appraisal year in ?year= (this year when absent); 404 for a year this person has no page for."""
    year = year_from_arg(current_user, request.args.get("year"), today())
    if year is None:
        abort(404)
    return year


# --- My year ----------------------------------------------------------------------------


@bp.route("/my-year")
def my_year():
    year = _year_asked_for()
    view = summaries.my_year(current_user, year, today())
    return render_template("portfolio/my_year.html", view=view, confirm=ConfirmForm())


@bp.route("/notices/<int:notice_id>/dismiss", methods=["POST"])
def dismiss_notice(notice_id: int):
    notice = access.own_notice_for(current_user, notice_id)
    activities.dismiss_notice(current_user, notice)
    db.session.commit()
    return redirect(url_for(".my_year"))


# --- logging and changing an activity ----------------------------------------------------


def _render_form(form, activity=None, *, first_subjects=(), status=200, state="fresh", files_dropped=False):
    behaviours = allowed_behaviours(current_user, activity)
    ticked = {record_id(str(v)) for v in (form.behaviour_ids.data or [])} - {None}
    groups = group_by_subject(behaviours, first_subjects, ticked)
    if form.behaviour_ids.errors:
        for group in groups:
            group.open = True
    return render_template(
        "portfolio/activity_form.html",
        form=form,
        activity=activity,
        activity_types=form_choices.activity_types(),
        courses=form_choices.catalogue(activity),
        groups=groups,
        ticked=ticked,
        behaviour_group=behaviour_fragments.behaviour_group,
        tier_codes={b.id for b in behaviours},
        models=MODELS,
        field_name=field_name,
        autosave_key=_autosave_key(activity),
        autosave_state=state,
        typing_page=secrets.token_urlsafe(16),
        typed_copy_url=url_for("portfolio.typed_copy.show", activity_id=activity.id if activity else None),
        files_dropped=files_dropped,
        max_files=evidence.MAX_FILES_PER_ACTIVITY,
        max_file_bytes=evidence.MAX_FILE_BYTES,
        long_minutes=_long_duration_to_confirm(form, activity) if state == "returned" else None,
    ), status


def _long_duration_to_confirm(form, activity) -> int | None:
    """The typed duration when it is over 12 hours and not the one already saved: the form asks
    "Is that right?" beside it, with a box to confirm exactly that duration."""
    minutes = typed_minutes(form.duration_hours.data, form.duration_minutes.data)
    if minutes is None or minutes <= LONG_ACTIVITY_MINUTES:
        return None
    if activity is not None and activity.duration_minutes == minutes:
        return None
    return minutes


def _save(form, activity=None):
    uploads = [evidence.Upload(f.filename, f.stream) for f in request.files.getlist("evidence") if f and f.filename]
    submit = form.submit_requested()
    stored_files = []  # evidence written by this save: removed again when the commit fails
    scan_refusals = []  # a virus found, or no verdict: a security event once the save is undone

    def write():
        for upload in uploads:  # a second attempt (the database was locked) reads the files again
            upload.stream.seek(0)
        try:
            saved = activities.save_activity(current_user, activity, form.to_input(uploads), submit=submit,
                                             today=today(), upload_folder=upload_folder(),
                                             room=evidence.Room.from_config(current_app.config),
                                             scanner=virus_scan.Scanner.from_config(current_app.config))
        except virus_scan.ScanRefused as refused:
            scan_refusals.append(refused)
            raise
        stored_files.extend(saved.stored_files)
        _close_typed_copies(activity, saved.activity)
        return saved

    def discard_stored():
        evidence.discard(upload_folder(), stored_files)
        stored_files.clear()

    try:
        # SQLite refuses a second writer outright (the form's own typed copy, saved a moment before).
        saved = again_if_locked(lambda: commit_or_show_errors(form, write), undo=discard_stored)
    except Exception as error:
        db.session.rollback()
        evidence.discard(upload_folder(), stored_files)
        # Two sendings of one new form at once: the unique key let one in; show that one.
        first = activity is None and isinstance(error, IntegrityError) and activities.created_by_form(
            current_user, creation_key(form.creation_key.data))
        if not first:
            raise
        saved = activities.Saved(first, submitted=False, stored_files=[], removed_files=[], already_saved=True)
    if saved is not None and saved.already_saved:
        flash(f"This activity was already saved: {saved.activity.title}", "success")
        return redirect(url_for(".activity", activity_id=saved.activity.id))
    for refused in scan_refusals:
        security_events.evidence_refused(refused.event, activity=activity, **refused.detail)
    if saved is None:
        if activity is not None and activity.status_told not in activities.EDITABLE:
            # Decided on while the form was open: the refusal is about the activity, not the form.
            flash(activities.CANNOT_CHANGE)
            return redirect(url_for(".activity", activity_id=activity.id))
        closed = activity is not None and closed_message_for(activity.occurred_on, today())
        if closed:  # its year closed while the form was open: likewise about the activity
            flash(closed)
            return redirect(url_for(".activity", activity_id=activity.id))
        form.mask_nhs_numbers()
        return _render_form(form, activity, state="returned", files_dropped=bool(uploads) and not form.evidence.errors)
    evidence.discard(upload_folder(), saved.removed_files)
    if submit:
        decider = access.decider_of(saved.activity)
        flash(f"Submitted for sign-off{' to ' + decider.name if decider else ''}: {saved.activity.title}", "success")
        year = appraisal_year.current_year(saved.activity.occurred_on)
        return redirect(url_for(".my_year", year=year.start_year))
    flash(f"Saved as a draft: {saved.activity.title}", "success")
    return redirect(url_for(".activity", activity_id=saved.activity.id))


@bp.route("/activities/new", methods=["GET", "POST"])
def log_activity():
    form = ActivityForm()
    if request.method == "POST":
        return _save(form)
    choices = form_choices.prefill(
        current_user, course=request.args.get("course"), behaviours=request.args.get("behaviours"),
        subjects=request.args.get("subjects"), activity_type=request.args.get("type"),
    )
    form.fill_new(today(), choices)
    return _render_form(form, first_subjects=choices.first_subjects)


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
def edit_activity(activity_id: int):
    activity = access.own_activity_for(current_user, activity_id)
    # As the author sees it: a decision that may still be undone is not theirs to act on yet.
    if activity.status_told not in activities.EDITABLE:
        if activity.status_told == ActivityStatus.SIGNED_OFF:
            flash("This activity can no longer be changed.")
        elif not _refused_as_closed(activity):
            flash("Withdraw this activity before you change it.")
        return redirect(url_for(".activity", activity_id=activity.id))
    # A change posted anyway is refused by the service (activities.save_activity).
    if request.method == "GET" and _refused_as_closed(activity):
        return redirect(url_for(".activity", activity_id=activity.id))
    form = ActivityForm()
    if request.method == "POST":
        return _save(form, activity)
    form.fill_from_activity(activity)
    return _render_form(form, activity)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """Too much was sent to read at all: show the form again, saying so, instead of a bare 413.
    The typed text survives in the form's copy kept on the server (typed_copies), offered back."""
    if request.endpoint not in FORM_ENDPOINTS or not current_user.is_authenticated:
        return render_template("errors/error.html", status=413, title="That upload is too large",
                               message="Nothing was saved. Each evidence file must be 10 MB or smaller."), 413
    activity = None
    if request.endpoint == "portfolio.edit_activity":
        try:
            activity = access.own_activity_for(current_user, request.view_args["activity_id"])
        except NotFound:
            return render_template("errors/error.html", status=404, title="Page not found", message=None), 404
    form = ActivityForm(formdata=None)  # the request body is exactly what cannot be read
    if activity is not None:
        form.fill_from_activity(activity)
    else:
        form.fill_new(today(), form_choices.Prefill())
    form.form_errors.append(
        "Nothing was saved because the form was too large to send. Each file must be 10 MB or smaller, "
        "and a reflection answer 10,000 characters or fewer."
    )
    return _render_form(form, activity, status=413, state="lost")


# --- one activity -----------------------------------------------------------------------


def _refused_as_closed(activity) -> bool:
    """Flash that the activity's year has closed, when it has: the page then offers nothing to do."""
    closed = closed_message_for(activity.occurred_on, today())
    if closed:
        flash(closed)
    return bool(closed)


@bp.route("/activities/<int:activity_id>")
def activity(activity_id: int):
    activity = access.own_activity_for(current_user, activity_id)
    return render_template(
        "portfolio/activity.html", activity=activity, confirm=ConfirmForm(),
        answers=labelled_answers(activity.reflection_model, activity.reflection),
        model=MODELS.get(activity.reflection_model) if activity.reflection_model else None,
        closed=closed_message_for(activity.occurred_on, today()),
        decider=access.decider_of(activity) if activity.status_told == ActivityStatus.SUBMITTED else None,
        observations=observation_pages.feedback_shown(current_user, activity),
        requests=observation_pages.requests_of(current_user, activity),
        may_ask=observation_pages.may_ask(activity) and not closed_message_for(activity.occurred_on, today()),
    )


@bp.route("/activities/<int:activity_id>/withdraw", methods=["POST"])
def withdraw_activity(activity_id: int):
    activity = access.own_activity_for(current_user, activity_id)
    try:
        activities.withdraw(current_user, activity, today())
        db.session.commit()
        flash("Withdrawn: the activity is a draft again. Change it and submit it when you are ready.", "success")
    except Refused as refused:
        db.session.rollback()
        flash(str(refused))
    return redirect(url_for(".activity", activity_id=activity_id))


@bp.route("/activities/<int:activity_id>/delete", methods=["GET", "POST"])
def delete_activity(activity_id: int):
    activity = access.own_activity_for(current_user, activity_id)
    if activity.status_told == ActivityStatus.SIGNED_OFF:
        flash("A signed-off activity is part of your record and cannot be deleted.")
        return redirect(url_for(".activity", activity_id=activity.id))
    if request.method == "GET":
        if _refused_as_closed(activity):
            return redirect(url_for(".activity", activity_id=activity.id))
        return render_template("portfolio/delete.html", activity=activity, confirm=ConfirmForm())
    try:
        activities.delete(current_user, activity, today())
        typed_copies.close(current_user, typed_copies.form_of(activity), None, appraisal_year.now())
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(str(refused))
        return redirect(url_for(".activity", activity_id=activity_id))
    flash(f"Deleted: {activity.title}", "success")
    return redirect(url_for(".my_year"))


@bp.route("/evidence/<int:evidence_id>")
def evidence_download(evidence_id: int):
    """Anyone who may see the activity may download its evidence, always as a download."""
    file = access.evidence_for(current_user, evidence_id)
    try:
        path = evidence.path_of(upload_folder(), file.stored_name)
    except ValueError:
        abort(404)
    if not os.path.isfile(path):
        abort(404)
    if activities.note_evidence_download(current_user, file):
        db.session.commit()
    response = send_file(path, mimetype=file.content_type, as_attachment=True,
                         download_name=evidence.download_name(file.original_name, file.content_type), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- My portfolio and my data -------------------------------------------------------------


@bp.route("/portfolio")
def portfolio():
    year = _year_asked_for()
    include_all = request.args.get("include") == "all"
    view = summaries.portfolio(current_user, year, today(), include_all=include_all)
    return render_template("portfolio/portfolio.html", view=view, labelled_answers=labelled_answers, models=MODELS)


@bp.route("/portfolio/my-data.json")
def export_my_data():
    data = summaries.export_data(current_user, utcnow())
    db.session.commit()
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="my-tracker-data-{today().isoformat()}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
