"""Admin: erase a person (tracker/erasure.py), after a confirmation page. Behind the "admin"
permission like every admin view; the person is reached through access.visible_person_for (404
otherwise). Refused for oneself and for an active admin."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import access, appraisal_year, erasure
from tracker.admin.people_forms import EraseForm
from tracker.admin.routes import bp
from tracker.portfolio import evidence
from tracker.views import commit_or_show_errors


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase_person(person_id: int):
    person = access.visible_person_for(current_user, person_id)
    form = EraseForm()
    name = person.name
    refused = erasure.refusal(current_user, person)
    if request.method == "POST" and form.validate_on_submit() and refused is None:
        erased = commit_or_show_errors(form, lambda: erasure.erase(current_user, person, appraisal_year.today()))
        if erased is not None:
            evidence.discard(current_app.config["UPLOAD_FOLDER"], erased.files)
            flash(f"{name} erased.", "success")
            return redirect(url_for("admin.people"))
    # A refusal is shown instead of the button: a POST refused changes nothing and shows it again.
    return render_template("admin/erase.html", form=form, person=person, refused=refused), \
        400 if form.csrf_token.errors else 200
