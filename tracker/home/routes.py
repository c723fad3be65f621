"""The front door: sign-in for visitors; for signed-in people, what to do next and who they are."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from tracker import appraisal_year
from tracker import health as health_check
from tracker.auth.forms import SignInForm
from tracker.home.next_steps import next_steps

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("auth/sign_in.html", form=SignInForm())
    person = current_user
    steps = next_steps(person, appraisal_year.today(), current_app.config["COMPLIANCE_TARGET"])
    return render_template(
        "home/index.html",
        person=person,
        steps=steps,
        role_labels=["Staff"] + [role.label for role in sorted(person.roles, key=lambda r: r.value)],
        managed_units=sorted(scope.unit.name for scope in person.scopes),
    )


@bp.route("/healthz")
def health():
    """The database and Redis answer (tracker/health.py); 503 names the part that does not."""
    return health_check.check()
