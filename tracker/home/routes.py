"""The front door: sign-in for visitors, a summary of who you are for signed-in people."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker import appraisal_year, compliance
from tracker.auth.forms import SignInForm

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("auth/sign_in.html", form=SignInForm())
    person = current_user
    year = appraisal_year.current_year()
    progress = compliance.progress_of(person, year, appraisal_year.today())
    return render_template(
        "home/index.html",
        person=person,
        year=year,
        progress=progress,
        role_labels=["Staff"] + [role.label for role in sorted(person.roles, key=lambda r: r.value)],
        managed_units=sorted(scope.unit.name for scope in person.scopes),
    )


@bp.route("/healthz")
def health():
    return {"status": "ok"}
