"""Admin: reset a person's second factor (a lost phone). Behind the "admin" permission like every
admin view; the person is reached only through access.visible_person_for (404 otherwise)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import access
from tracker.admin.routes import bp
from tracker.auth import mfa
from tracker.auth.mfa_forms import ResetSecondFactorForm
from tracker.views import commit_or_show_errors


@bp.route("/people/<int:person_id>/second-factor/reset", methods=["GET", "POST"])
def reset_second_factor(person_id: int):
    person = access.visible_person_for(current_user, person_id)
    form = ResetSecondFactorForm()
    if request.method == "POST" and form.validate_on_submit():
        if commit_or_show_errors(form, lambda: mfa.reset(current_user, person) or True):
            flash(f"{person.name}'s second factor is reset. They set up an authenticator app again when "
                  "they next sign in.", "success")
            if person.id == current_user.id:
                return redirect(url_for("auth.sign_in"))
            return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/reset_second_factor.html", form=form, person=person), \
        400 if form.csrf_token.errors else 200
