"""Teams: today's unit tree, and each unit's page where an admin renames, moves, adds beneath,
closes, and gives or takes away manager scopes.

Behind the "admin" permission (the blueprint's area); units come through access (404 when unknown
or closed); every change goes through tracker.admin.unit_changes and is committed once here.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import access, appraisal_year
from tracker.admin import unit_changes, unit_tree
from tracker.admin.routes import bp
from tracker.admin.team_forms import (AddUnitForm, CloseUnitForm, GiveScopeForm, MoveUnitForm, RenameUnitForm,
                                      TakeScopeForm)
from tracker.models import OrganisationUnit
from tracker.views import commit_or_show_errors

SEARCH_MAX = 100


def _unit(unit_id: int) -> OrganisationUnit:
    return access.administered_unit_for(current_user, unit_id)


def _today_if_blank(form) -> None:
    """"From when?" starts as today."""
    if not form.is_submitted():
        form.on.process(None, appraisal_year.today())


def _back(unit: OrganisationUnit, message: str):
    flash(message, "success")
    return redirect(url_for("admin.unit", unit_id=unit.id))


@bp.route("/teams")
def teams():
    units = access.administered_units(current_user)
    text = request.args.get("q", "").strip()[:SEARCH_MAX]
    tree = unit_tree.todays_tree(units)
    found, total = unit_tree.search(units, text) if text else ([], 0)
    return render_template("admin/teams/tree.html", tree=tree, q=text,
                           found=[tree.by_id[i] for i in found if i in tree.by_id], found_total=total)


def _unit_page(unit: OrganisationUnit, form: GiveScopeForm):
    tree = unit_tree.around(access.administered_units(current_user), unit.id)
    node = tree.by_id[unit.id]
    return render_template("admin/teams/unit.html", unit=unit, node=node, path=tree.path(node),
                           managers=unit_changes.scope_holders(unit), form=form)


@bp.route("/teams/<int:unit_id>")
def unit(unit_id: int):
    return _unit_page(_unit(unit_id), GiveScopeForm())


@bp.route("/teams/<int:unit_id>/rename", methods=["GET", "POST"])
def rename_unit(unit_id: int):
    unit = _unit(unit_id)
    form = RenameUnitForm()
    _today_if_blank(form)
    old = unit.name
    if form.validate_on_submit() and commit_or_show_errors(
            form, lambda: unit_changes.rename(current_user, unit, form.name.data, form.on.data) or True):
        return _back(unit, f"{old} renamed {unit.name}.")
    return render_template("admin/teams/rename.html", unit=unit, form=form)


@bp.route("/teams/<int:unit_id>/move", methods=["GET", "POST"])
def move_unit(unit_id: int):
    unit = _unit(unit_id)
    form = MoveUnitForm()
    _today_if_blank(form)
    tree = unit_tree.todays_tree(access.administered_units(current_user))
    form.parent.choices = [(str(n.id), tree.path_text(n)) for n in tree.in_order() if n.id != unit.id]
    if not form.is_submitted():
        form.parent.data = str(unit.parent_id)
    if form.validate_on_submit() and commit_or_show_errors(
            form, lambda: unit_changes.move(current_user, unit, form.parent.data, form.on.data) or True):
        return _back(unit, f"{unit.name} moved under {unit.parent.name}.")
    return render_template("admin/teams/move.html", unit=unit, form=form)


@bp.route("/teams/<int:unit_id>/add", methods=["GET", "POST"])
def add_unit(unit_id: int):
    parent = _unit(unit_id)
    form = AddUnitForm()
    _today_if_blank(form)
    if form.validate_on_submit():
        added = commit_or_show_errors(
            form, lambda: unit_changes.add_beneath(current_user, parent, form.name.data, form.kind.data, form.on.data))
        if added is not None:
            return _back(added, f"{added.name} added beneath {parent.name}.")
    return render_template("admin/teams/add.html", unit=parent, form=form)


@bp.route("/teams/<int:unit_id>/close", methods=["GET", "POST"])
def close_unit(unit_id: int):
    unit = _unit(unit_id)
    form = CloseUnitForm()
    _today_if_blank(form)
    if form.validate_on_submit():
        name, parent = unit.name, unit.parent
        if commit_or_show_errors(form, lambda: unit_changes.close(current_user, unit, form.on.data) or True):
            flash(f"{name} closed.", "success")
            return redirect(url_for("admin.unit", unit_id=parent.id))
    node = unit_tree.around(access.administered_units(current_user), unit.id).by_id[unit.id]
    return render_template("admin/teams/close.html", unit=unit, node=node, form=form,
                           managers=unit_changes.scope_holders(unit))


@bp.route("/teams/<int:unit_id>/managers", methods=["POST"])
def give_scope(unit_id: int):
    unit = _unit(unit_id)
    form = GiveScopeForm()
    if form.validate_on_submit():
        person = commit_or_show_errors(form, lambda: unit_changes.give_scope(current_user, unit, form.person.data))
        if person is not None:
            return _back(unit, f"{person.name} now has manager scope over {unit.name}.")
    return _unit_page(unit, form)


@bp.route("/teams/<int:unit_id>/managers/<int:person_id>/take-away", methods=["GET", "POST"])
def take_scope(unit_id: int, person_id: int):
    unit = _unit(unit_id)
    scope = access.administered_scope_for(current_user, unit, person_id)
    form = TakeScopeForm()
    if form.validate_on_submit():
        name = scope.person.name
        commit_or_show_errors(form, lambda: unit_changes.take_scope(current_user, scope))
        return _back(unit, f"{name} no longer has manager scope over {unit.name}.")
    return render_template("admin/teams/take_scope.html", unit=unit, person=scope.person, form=form)
