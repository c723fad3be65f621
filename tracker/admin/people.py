"""Admin: the people of the organisation. Find, create and edit them (a new team, tier or staff
group is dated history), deactivate and reactivate them, and hand them a set-password link.

Every view is behind the "admin" permission (access.AREA_PERMISSIONS); a person is reached only
through access.visible_person_for (404 otherwise).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import access, appraisal_year, staff_history
from tracker.admin import people_services as services
from tracker.admin.people_forms import EditPersonForm, LeavingForm, LinkForm, NewPersonForm, RejoiningForm
from tracker.admin.people_search import STATUSES, PeopleSearch, units
from tracker.admin.routes import _page, bp
from tracker.auth import guard, links, mfa, session_routes, sso
from tracker.extensions import db
from tracker.models import SINCE_EVER, OrganisationUnit, Person, Role, StaffGroup
from tracker.views import commit_or_show_errors


@bp.route("/people")
def people():
    search = PeopleSearch.from_args(request.args)
    query = search.apply(access.visible_people(current_user))
    total, page = _page(query)
    rows = db.session.scalars(page.rows(query.options(joinedload(Person.team)).order_by(Person.name, Person.id))).all()
    return render_template("admin/people.html", people=rows, total=total, page=page.number, pages=page.count,
                           search=search, units=units(), roles=list(Role), staff_groups=list(StaffGroup),
                           statuses=STATUSES, waiting=sso.waiting_for_a_team())  # SSO: added at first sign-in


@bp.route("/people/<int:person_id>")
def person(person_id: int):
    person = access.visible_person_for(current_user, person_id)
    periods = staff_history.periods_of(person)
    unit_names = dict(db.session.execute(select(OrganisationUnit.id, OrganisationUnit.name).where(
        OrganisationUnit.id.in_({p.team_id for p in periods}))).all())
    return render_template("admin/person.html", person=person, periods=periods, unit_names=unit_names,
                           since_ever=SINCE_EVER, link_form=LinkForm(),
                           second_factor=mfa.factor_of(person))  # MFA: its row and reset button


def _status(form) -> int:
    return 400 if form.csrf_token.errors else 200


@bp.route("/people/new", methods=["GET", "POST"])
def new_person():
    form = NewPersonForm()
    form.set_units(units())
    if request.method == "GET":
        form.in_post_from.process(None, appraisal_year.today())
    if request.method == "POST" and form.validate_on_submit():
        created = commit_or_show_errors(form, lambda: services.create(
            current_user, form.details(), form.in_post_from.data))
        if created:
            flash(f"{created.name} added.", "success")
            return redirect(url_for("admin.person", person_id=created.id))
    return render_template("admin/person_form.html", form=form, person=None), _status(form)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit_person(person_id: int):
    person = access.visible_person_for(current_user, person_id)
    form = EditPersonForm()
    form.set_units(units())
    if request.method == "GET":
        form.fill_from(person)
        form.on.process(None, appraisal_year.today())
    if request.method == "POST" and form.validate_on_submit():
        token_before = person.session_token
        changes = commit_or_show_errors(form, lambda: services.edit(current_user, person, form.details(), form.on.data))
        if changes is not None:
            if person.id == current_user.id and person.session_token != token_before:
                session_routes.carry_on(person)  # sessions: one's own change of roles ends one's other sessions, not this one
                db.session.commit()
            flash(f"{person.name}'s details saved.", "success")
            return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/person_form.html", form=form, person=person), _status(form)


@bp.route("/people/<int:person_id>/deactivate", methods=["GET", "POST"])
def deactivate_person(person_id: int):
    person = access.visible_person_for(current_user, person_id)
    form = LeavingForm()
    if request.method == "GET":
        form.on.process(None, appraisal_year.today())
    if request.method == "POST" and form.validate_on_submit():
        if commit_or_show_errors(form, lambda: services.deactivate(current_user, person, form.on.data) or True):
            flash(f"{person.name} deactivated.", "success")
            if person.id == current_user.id:
                return redirect(url_for("auth.sign_in"))
            return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/deactivate.html", form=form, person=person), _status(form)


@bp.route("/people/<int:person_id>/reactivate", methods=["GET", "POST"])
def reactivate_person(person_id: int):
    person = access.visible_person_for(current_user, person_id)
    form = RejoiningForm()
    if request.method == "GET":
        form.on.process(None, appraisal_year.today())
    if request.method == "POST" and form.validate_on_submit():
        if commit_or_show_errors(form, lambda: services.reactivate(current_user, person, form.on.data) or True):
            flash(f"{person.name} reactivated.", "success")
            return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/reactivate.html", form=form, person=person), _status(form)


@bp.route("/people/<int:person_id>/set-password-link", methods=["POST"])
def create_set_password_link(person_id: int):
    """The link is shown once, on this response, and never again (only its hash is kept)."""
    person = access.visible_person_for(current_user, person_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.person", person_id=person.id))
    created = commit_or_show_errors(form, lambda: links.create_link(current_user, person))
    if created is None:
        flash(form.form_errors[0], "error")
        return redirect(url_for("admin.person", person_id=person.id))
    token, link = created
    return render_template("admin/set_password_link.html", person=person, link=link,
                           url=url_for("auth.set_password", token=token, _external=True)), {"Cache-Control": "no-store"}


@bp.route("/people/<int:person_id>/unlock-sign-in", methods=["POST"])
def unlock_sign_in(person_id: int):
    """Lift a sign-in lock-out (audited), when the person asks for it."""
    person = access.visible_person_for(current_user, person_id)
    form = LinkForm()
    if form.validate_on_submit():
        if commit_or_show_errors(form, lambda: guard.unlock(current_user, person) or True):
            flash(f"{person.name} can sign in again.", "success")
        else:
            flash(form.form_errors[0], "error")
    return redirect(url_for("admin.person", person_id=person.id))
