"""Managers change what they recorded: exemptions (corrected, ended early, deleted, the open-ended
ones reviewed) and leadership actions (corrected, deleted).

Views on the team blueprint (so behind its "team" permission), imported by tracker/team/routes.py.
Each object comes from tracker.access (404 outside the manager's scope); the services in
tracker/team/exemptions.py and leadership.py refuse what would change a closed year.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import access
from tracker.appraisal_year import start_month, year_containing
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import ExemptionReason, LeadershipActionKind, OrganisationUnit
from tracker.team import dashboard as team_dashboard
from tracker.team import exemptions, leadership
from tracker.team.forms import ConfirmForm, EndExemptionForm, ExemptionForm, LeadershipActionForm
from tracker.team.routes import _today, bp
from tracker.templating import long_date
from tracker.views import commit_or_show_errors


def _status(form) -> int:
    return 400 if form.csrf_token.errors else 200


def _person_page(person_id: int) -> str:
    return url_for("team.person", person_id=person_id) + "#exemptions"


# --- exemptions ------------------------------------------------------------------------


@bp.route("/exemptions/open-ended")
def open_ended_exemptions():
    return render_template("team/open_ended_exemptions.html", rows=exemptions.open_ended_rows(current_user))


@bp.route("/exemptions/<int:exemption_id>/change", methods=["GET", "POST"])
def change_exemption(exemption_id: int):
    exemption = access.managed_exemption_for(current_user, exemption_id)
    person = exemption.person
    if request.method == "POST":
        form = ExemptionForm()
    else:
        form = ExemptionForm(data={"reason": exemption.reason.value, "reason_detail": exemption.reason_detail,
                                   "starts_on": exemption.starts_on, "ends_on": exemption.ends_on})
    if request.method == "POST" and form.validate_on_submit():
        changed = commit_or_show_errors(form, lambda: exemptions.change_exemption(
            current_user, exemption, reason=ExemptionReason(form.reason.data), detail=form.reason_detail.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, today=_today(),
        ))
        if changed is not None:
            flash(f"Exemption changed for {person.name}." if changed else "Nothing was changed.", "success")
            return redirect(_person_page(person.id))
    return render_template("team/exemption_form.html", form=form, person=person, exemption=exemption), _status(form)


@bp.route("/exemptions/<int:exemption_id>/end", methods=["GET", "POST"])
def end_exemption(exemption_id: int):
    exemption = access.managed_exemption_for(current_user, exemption_id)
    person = exemption.person
    form = EndExemptionForm() if request.method == "POST" else EndExemptionForm(data={"ends_on": _today()})
    if request.method == "POST" and form.validate_on_submit():
        ended = commit_or_show_errors(form, lambda: exemptions.end_exemption(
            current_user, exemption, ends_on=form.ends_on.data, today=_today()))
        if ended is not None:
            flash(f"Exemption ended for {person.name}: its last day is {long_date(ended.ends_on)}.", "success")
            return redirect(_person_page(person.id))
    return render_template("team/exemption_end.html", form=form, person=person, exemption=exemption), _status(form)


@bp.route("/exemptions/<int:exemption_id>/delete", methods=["GET", "POST"])
def delete_exemption(exemption_id: int):
    exemption = access.managed_exemption_for(current_user, exemption_id)
    person = exemption.person
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        deleted = commit_or_show_errors(form, lambda: exemptions.delete_exemption(
            current_user, exemption, today=_today()))
        if deleted is not None:
            flash(f"Exemption deleted for {person.name}.", "success")
            return redirect(_person_page(person.id))
    return render_template("team/exemption_delete.html", form=form, person=person, exemption=exemption,
                           allowed=exemptions.may_delete(exemption, _today())), _status(form)


# --- leadership actions ----------------------------------------------------------------


def _dashboard_of(action) -> str:
    year = year_containing(action.occurred_on, start_month())
    return url_for("team.dashboard", year=year.start_year) + "#leadership-actions"


def _unit_choices(action) -> list[SelectChoice]:
    """The manager's teams, and the action's own team even when it is not one of them (the
    recorder whose scope has since changed keeps it as it was)."""
    units = team_dashboard.scope_units(current_user)
    choices = [SelectChoice("", "All my teams")] + [SelectChoice(str(u.id), u.name) for u in units]
    if action.unit_id is not None and action.unit_id not in {u.id for u in units}:
        unit = db.session.get(OrganisationUnit, action.unit_id)
        choices.append(SelectChoice(str(unit.id), unit.name))
    return choices


@bp.route("/leadership-actions/<int:action_id>/change", methods=["GET", "POST"])
def change_leadership_action(action_id: int):
    action = access.leadership_action_for(current_user, action_id)
    if request.method == "POST":
        form = LeadershipActionForm()
    else:
        form = LeadershipActionForm(data={
            "kind": action.kind.value, "occurred_on": action.occurred_on, "note": action.note,
            "hours": str(action.hours.normalize()) if action.hours is not None else "",
            "unit": str(action.unit_id) if action.unit_id is not None else ""})
    form.unit.choices = _unit_choices(action)
    if request.method == "POST" and form.validate_on_submit():
        hours = form.hours_value()
        unit_id = record_id(form.unit.data)
        if not form.hours.errors:
            changed = commit_or_show_errors(form, lambda: leadership.change_leadership_action(
                current_user, action, kind=LeadershipActionKind(form.kind.data), occurred_on=form.occurred_on.data,
                hours=hours, unit_id=unit_id, note=form.note.data, today=_today(),
            ))
            if changed is not None:
                flash("Leadership action changed." if changed else "Nothing was changed.", "success")
                return redirect(_dashboard_of(action))
    return render_template("team/leadership_action_form.html", form=form, action=action), _status(form)


@bp.route("/leadership-actions/<int:action_id>/delete", methods=["GET", "POST"])
def delete_leadership_action(action_id: int):
    action = access.leadership_action_for(current_user, action_id)
    back = _dashboard_of(action)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        deleted = commit_or_show_errors(form, lambda: leadership.delete_leadership_action(
            current_user, action, today=_today()))
        if deleted is not None:
            flash("Leadership action deleted.", "success")
            return redirect(back)
    unit = db.session.get(OrganisationUnit, action.unit_id) if action.unit_id is not None else None
    return render_template("team/leadership_action_delete.html", form=form, action=action, unit=unit, back=back,
                           allowed=leadership.may_change(action, _today())), _status(form)
