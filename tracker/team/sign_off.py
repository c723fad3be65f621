"""Sign-off: the queue, one activity and its decision, undoing a decision, signing off several.

Registered on the team blueprint (tracker.team.routes imports this module). These endpoints need
the "sign_off" permission, not the area's (access.ENDPOINT_PERMISSIONS): line managers without
the manager role decide on their reports' activities too. Activities come only through tracker.access.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import access, appraisal_year, scope_filters
from tracker.counting import undo_window
from tracker.db_retry import retry_if_locked
from tracker.extensions import db
from tracker.input_guard import record_ids
from tracker.models import Activity, OrganisationUnit, Person
from tracker.observation import pages as observation_pages
from tracker.portfolio.reflection import labelled_answers
from tracker.refusal import Refused
from tracker.team import services
from tracker.team.forms import BulkSignOffForm, DecisionForm, UndoForm
from tracker.team.routes import bp
from tracker.views import show_errors
from tracker.year_closing import closed_message_for

ALREADY_DECIDED = "Someone else has already decided on this activity, so your decision was not recorded."
# A trust-wide scope can hold thousands of waiting activities: the longest-waiting are enough to act on.
SCOPE_LIST_LIMIT = 100
# The queue shows the decision just made with its "Undo" button (a flash carries text only).
JUST_DECIDED = "team_just_decided"


def _today():
    return scope_filters.today()


def _undo_minutes() -> int:
    return int(undo_window().total_seconds() // 60)


def _activities(query) -> list[Activity]:
    """The activities of `query` with what a queue row or check page shows, loaded in bulk."""
    return db.session.scalars(
        query.options(joinedload(Activity.owner), joinedload(Activity.activity_type), selectinload(Activity.behaviours))
    ).unique().all()


def _oldest_first(query):
    return query.order_by(Activity.submitted_at.asc().nulls_first(), Activity.id)


def _team_names(activities) -> dict[int, str]:
    team_ids = {a.owner.team_id for a in activities}
    if not team_ids:
        return {}
    return dict(db.session.execute(
        select(OrganisationUnit.id, OrganisationUnit.name).where(OrganisationUnit.id.in_(team_ids))).all())


# --- the queue --------------------------------------------------------------------------


@bp.route("/queue")
def queue():
    # Each activity is a task in one queue only, its decider's (access.decider); a director sees
    # what their ward managers hold only on request, marked with who holds it, and only to read.
    manages = access.can(current_user, "team")
    include_scope = manages and request.args.get("include") == "scope"
    activities = _activities(_oldest_first(access.sign_off_queue(current_user)))
    in_scope, in_scope_total = [], 0
    if include_scope:
        waiting = access.waiting_in_scope(current_user)
        in_scope_total = db.session.scalar(waiting.with_only_columns(func.count()).order_by(None))
        in_scope = _activities(_oldest_first(waiting).limit(SCOPE_LIST_LIMIT))
    recent = _activities(access.recent_decisions(current_user, appraisal_year.now() - undo_window()))
    just_decided = session.pop(JUST_DECIDED, None)
    deciders = access.deciders_of(a.id for a in in_scope) if in_scope else {}
    return render_template(
        "team/queue.html", activities=activities, in_scope=in_scope, include_scope=include_scope,
        in_scope_total=in_scope_total, deciders=deciders, teams=_team_names(activities + in_scope),
        manages=manages, recent=recent, just_decided=just_decided, undo_minutes=_undo_minutes(),
    )


# --- one activity and its decision -----------------------------------------------------------


def _activity_page(activity, form=None, status=200):
    activity = db.session.scalars(
        select(Activity).where(Activity.id == activity.id)
        .options(joinedload(Activity.owner), joinedload(Activity.activity_type), joinedload(Activity.course),
                 joinedload(Activity.decided_by), selectinload(Activity.behaviours),
                 selectinload(Activity.evidence_files))
    ).unique().one()
    decider = access.decider_of(activity)
    closed = closed_message_for(activity.occurred_on, _today())
    undoable = db.session.scalar(
        access.recent_decisions(current_user, appraisal_year.now() - undo_window())
        .where(Activity.id == activity.id).with_only_columns(Activity.id)) is not None
    return render_template(
        "team/activity.html", activity=activity, form=form or DecisionForm(),
        may_read=access.may_read_reflection(current_user, activity),
        in_scope=db.session.scalar(access.managed_people(current_user).with_only_columns(func.count())
                                   .where(Person.id == activity.owner_id)) > 0,
        decider=decider, is_decider=decider is not None and decider.id == current_user.id,
        closed=closed, undoable=undoable and not closed, undo_minutes=_undo_minutes(),
        observations=observation_pages.feedback_shown(current_user, activity),
    ), status


@bp.route("/activities/<int:activity_id>")
def activity(activity_id: int):
    page = _activity_page(access.sign_off_activity_for(current_user, activity_id))
    db.session.commit()  # reading an observer's feedback is audited
    return page


@bp.route("/activities/<int:activity_id>/decision", methods=["POST"])
def decide(activity_id: int):
    activity = access.decision_activity_for(current_user, activity_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _activity_page(activity, form, 400 if form.csrf_token.errors else 200)
    decision = services.SIGN_OFF if request.form.get("decision") == services.SIGN_OFF else services.RETURN
    owner_name = activity.owner.name
    try:
        retry_if_locked(lambda: services.decide(current_user, activity, decision, form.feedback.data,
                                                today=_today()))
    except Refused as refused:
        db.session.rollback()
        show_errors(form, refused.errors)
        return _activity_page(activity, form)
    except services.AlreadyDecided:
        db.session.rollback()
        flash(ALREADY_DECIDED, "info")
        return redirect(url_for("team.activity", activity_id=activity_id))
    if decision == services.SIGN_OFF:
        message = f"You signed off “{activity.title}” for {owner_name}."
    else:
        message = f"You returned “{activity.title}” to {owner_name} with your feedback."
    session[JUST_DECIDED] = {"id": activity_id, "message": message}
    return redirect(url_for("team.queue"))


@bp.route("/activities/<int:activity_id>/undo", methods=["POST"])
def undo_decision(activity_id: int):
    activity = access.own_decision_for(current_user, activity_id)
    if not UndoForm().validate_on_submit():
        abort(400)
    title = activity.title
    try:
        retry_if_locked(lambda: services.undo_decision(current_user, activity, today=_today()))
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(f"{refused}.", "info")
        return redirect(url_for("team.activity", activity_id=activity_id))
    flash(f"Decision undone: “{title}” is waiting for your decision again.", "success")
    return redirect(url_for("team.activity", activity_id=activity_id))


@bp.route("/activities/<int:activity_id>/reflection")
def reflection(activity_id: int):
    activity = access.sign_off_activity_for(current_user, activity_id)
    try:
        text = services.read_reflection(current_user, activity)
    except PermissionError:
        abort(404)  # private: do not confirm there is anything to read
    db.session.commit()
    return render_template("team/reflection.html", activity=activity, answers=_labelled(activity, text))


def _labelled(activity, text: dict) -> list[tuple[str, str]]:
    """(prompt, answer) pairs under the reflection model's prompt labels."""
    model = activity.reflection_model.value if activity.reflection_model else None
    return labelled_answers(model, text) or [
        (key.replace("_", " ").capitalize(), answer) for key, answer in text.items() if answer]


# --- signing off several together -----------------------------------------------------------


def _chosen(values: list[str]) -> tuple[list[Activity], int]:
    """The chosen activities the viewer decides on, and how many others of theirs were since
    withdrawn or deleted by their authors (counted, never shown: a draft is its author's alone).
    Any other id is a 404."""
    ids = record_ids(values)
    if ids is None:
        abort(404)
    ids = set(ids)
    if not ids:
        return [], 0
    chosen = _activities(_oldest_first(access.decided_activities(current_user).where(Activity.id.in_(ids))))
    missing = ids - {a.id for a in chosen}
    withdrawn = access.withdrawn_from(current_user, missing) if missing else set()
    if missing - withdrawn:
        abort(404)  # someone else's, or none at all: as if it did not exist
    return chosen, len(withdrawn)


def _check_page(chosen: list[Activity], withdrawn: int):
    stale = [(a, why) for a in chosen if (why := services.why_not_waiting(a, _today()))]
    return render_template("team/sign_off_selected.html", activities=chosen, stale=stale, withdrawn=withdrawn,
                           form=BulkSignOffForm(), teams=_team_names(chosen))


@bp.route("/queue/sign-off")
def check_sign_off():
    chosen, withdrawn = _chosen(request.args.getlist("activity_id"))
    if not chosen and not withdrawn:
        flash("Select at least one activity to sign off.", "info")
        return redirect(url_for("team.queue"))
    return _check_page(chosen, withdrawn)


@bp.route("/queue/sign-off", methods=["POST"])
def sign_off_selected():
    chosen, withdrawn = _chosen(request.form.getlist("activity_id"))
    form = BulkSignOffForm()
    if not form.validate_on_submit():
        abort(400)
    if not chosen and not withdrawn:
        flash("Select at least one activity to sign off.", "info")
        return redirect(url_for("team.queue"))
    try:
        if withdrawn:
            raise services.NotAllWaiting()
        signed = retry_if_locked(lambda: services.sign_off_together(current_user, chosen, today=_today()))
        db.session.commit()
    except services.NotAllWaiting:
        # Nothing was signed: read them again and say which are no longer waiting.
        db.session.rollback()
        db.session.expire_all()
        return _check_page(*_chosen(request.form.getlist("activity_id")))
    flash(f"You signed off {signed} {'activity' if signed == 1 else 'activities'}. "
          f"You can undo each one for {_undo_minutes()} minutes under “Recently decided”.", "success")
    return redirect(url_for("team.queue"))
