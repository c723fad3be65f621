"""Managers: team dashboard, person view, exemptions, leadership actions, reminders (the sign-off
queue and decisions are in tracker/team/sign_off.py, on this blueprint).

Every view here is behind the "team" permission (access.AREA_PERMISSIONS), except the sign-off
pages, which line managers without the manager role open too ("sign_off",
access.ENDPOINT_PERMISSIONS). Views reach people and activities only through tracker.access.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from tracker import access, compliance, figures, scope_filters
from tracker.compliance import Status
from tracker.counting import live_in_year
from tracker.extensions import db
from tracker.input_guard import record_id, record_ids
from tracker.models import (
    Activity,
    ExemptionReason,
    LeadershipActionKind,
)
from tracker.plurals import plural
from tracker.team import dashboard as team_dashboard
from tracker.team import exemptions as team_exemptions
from tracker.team import services
from tracker.team.forms import ExemptionForm, LeadershipActionForm, ReminderForm
from tracker.views import commit_or_show_errors
from tracker.year_closing import closed_message, is_closed

bp = Blueprint("team", __name__, url_prefix="/team")

def _today():
    return scope_filters.today()


@bp.app_template_global()
def evidence_url(evidence_file) -> str:
    """The portfolio area's download link for an evidence file."""
    return url_for("portfolio.evidence_download", evidence_id=evidence_file.id)


# --- dashboard -------------------------------------------------------------------------


TEAMS_SHOWN = 50


@bp.route("/")
def dashboard():
    filters = scope_filters.parse(request.args, current_user, unit_for=access.managed_unit_for)
    sort = request.args.get("sort", "status")
    sort = sort if sort in figures.PEOPLE_SORTS else "status"
    descending = request.args.get("order") == "desc"
    page = request.args.get("page", 1, type=int) or 1
    target = compliance.load_target(filters.year, current_app.config["COMPLIANCE_TARGET"])
    board = team_dashboard.build(current_user, filters, _today(), target,
                                 sort=sort, descending=descending, page=page)
    page_html = render_template(
        "team/dashboard.html", board=board, filters=filters, sort=sort, descending=descending,
        years=scope_filters.years_offered(), form=ReminderForm(), statuses=team_dashboard.STATUS_CHOICES,
        staff_groups=scope_filters.STAFF_GROUPS, Status=Status,
        # The lowest teams only, unless all are asked for: a directorate has hundreds, and drawing
        # 317 rows was most of a 10,551-person directorate's page (60 ms).
        teams_shown=len(board.ranked) if request.args.get("teams") == "all" else TEAMS_SHOWN,
        # Reminders ask people to log into the year: not offered once it has closed.
        closed=closed_message(board.year) if is_closed(board.year, _today()) else None,
    )
    # The year's counted rows brought up to date and a closed year's months kept; after drawing the
    # page, whose units a commit would expire (and load again one by one).
    db.session.commit()
    return page_html


@bp.route("/reminders", methods=["POST"])
def send_reminders():
    form = ReminderForm()
    filters = scope_filters.parse(request.form, current_user, unit_for=access.managed_unit_for)
    back = url_for("team.dashboard", **filters.args())
    if not form.validate_on_submit():
        flash("Your session expired before the reminder was sent. Try again.", "info")
        return redirect(back)
    if request.form.get("everyone") == "yes":
        ids = team_dashboard.filter_people_ids(current_user, filters, _today())
    else:
        ids = record_ids(request.form.getlist("person_id"))
        if ids is None or len(services.people_in_scope(current_user, ids)) != len(set(ids)):
            abort(404)  # someone outside the manager's scope: as if they did not exist
    if is_closed(filters.year, _today()):
        flash(f"{closed_message(filters.year)}, so no reminders can be sent for it.", "info")
        return redirect(back)
    if not ids:
        flash("Select at least one person to remind", "info")
        return redirect(back)
    plan = services.reminder_plan(current_user, ids, filters.year, _today())
    if request.form.get("confirm") != "yes":
        # Say who will be reminded (and who not, and why) before anything is sent.
        return render_template("team/reminders_confirm.html", plan=plan, filters=filters, form=form, back=back)
    try:
        sent, skipped = services.send_reminders(current_user, plan.ids, filters.year, _today())
        db.session.commit()
    except services.InvalidInput as exc:
        db.session.rollback()
        flash(next(iter(exc.errors.values())), "info")
        return redirect(back)
    message = f"Reminder sent to {plural(sent, 'person', 'people')}."
    if skipped:
        message += f" {skipped} already had a reminder today, so they were not sent another."
    flash(message, "success")
    return redirect(back)


# --- a person's year -------------------------------------------------------------------


@bp.route("/people/<int:person_id>")
def person(person_id: int):
    filters = scope_filters.parse({"year": request.args.get("year", "")}, current_user)
    # Someone who has since moved away is still in this manager's figures of an earlier year.
    person = access.managed_person_for(current_user, person_id, filters.roster_of())
    year = filters.year
    rules = compliance.load_rules(year)
    progress = compliance.progress_of(person, year, _today(), rules)
    activities = db.session.scalars(
        access.visible_activities(current_user)
        .where(Activity.owner_id == person.id, live_in_year(year))
        .options(joinedload(Activity.activity_type), selectinload(Activity.behaviours))
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
    ).unique().all()
    return render_template(
        "team/person.html", person=person, year=year, years=scope_filters.years_offered(), progress=progress,
        rule=rules[progress.tier], missing=compliance.missing(progress, rules[progress.tier]),
        activities=activities, exemptions=team_exemptions.rows_of(current_user, person, _today()), today=_today(),
    )


@bp.route("/people/<int:person_id>/exemptions/new", methods=["GET", "POST"])
def record_exemption(person_id: int):
    person = access.managed_other_for(current_user, person_id)  # never oneself
    form = ExemptionForm()
    if request.method == "POST" and form.validate_on_submit():
        recorded = commit_or_show_errors(form, lambda: services.record_exemption(
            current_user, person, reason=ExemptionReason(form.reason.data), detail=form.reason_detail.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, today=_today(),
        ))
        if recorded:
            flash(f"Exemption recorded for {person.name}.", "success")
            return redirect(url_for("team.person", person_id=person.id))
    status = 400 if form.csrf_token.errors else 200
    return render_template("team/exemption_form.html", form=form, person=person), status


# --- leadership actions ----------------------------------------------------------------


@bp.route("/leadership-actions/new", methods=["GET", "POST"])
def record_leadership_action():
    form = LeadershipActionForm()
    units = team_dashboard.scope_units(current_user)
    form.unit.choices = [SelectChoice("", "All my teams")] + [SelectChoice(str(u.id), u.name) for u in units]
    if request.method == "GET" and request.args.get("kind") in {k.value for k in LeadershipActionKind}:
        form.kind.data = request.args["kind"]
    if request.method == "POST" and form.validate_on_submit():
        hours = form.hours_value()
        unit_id = record_id(form.unit.data)
        if not form.hours.errors:
            recorded = commit_or_show_errors(form, lambda: services.record_leadership_action(
                current_user, kind=LeadershipActionKind(form.kind.data), occurred_on=form.occurred_on.data,
                hours=hours, unit_id=unit_id, note=form.note.data, today=_today(),
            ))
            if recorded:
                flash("Leadership action recorded.", "success")
                return redirect(url_for("team.dashboard") + "#leadership-actions")
    status = 400 if form.csrf_token.errors else 200
    return render_template("team/leadership_action_form.html", form=form), status


# The sign-off views live in their own module, registered on this blueprint.
from tracker.team import sign_off  # noqa: E402,F401
from tracker.team.sign_off import ALREADY_DECIDED  # noqa: E402,F401  (its old home; tests import it)

# Changing and deleting exemptions and leadership actions: views on this blueprint, in their own module.
from tracker.team import changes  # noqa: E402,F401
