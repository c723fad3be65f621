""""Forgotten your password?" (public): the form, and one answer for every address."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.forms import ForgottenPasswordForm
from tracker.auth.reset import ResetRequest
from tracker.auth.routes import bp
from tracker.views import commit_or_show_errors


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = ForgottenPasswordForm()
    status = 400 if form.csrf_token.errors else 200
    if request.method == "POST" and form.validate_on_submit():
        asked = ResetRequest(form.email.data)
        refusal = asked.refusal()
        if refusal:
            form.form_errors.append(refusal)
            status = 429
        elif commit_or_show_errors(form, lambda: asked.send() or True):
            return render_template("auth/reset_link_sent.html", email=asked.typed), {"Cache-Control": "no-store"}
    return render_template("auth/forgotten_password.html", form=form), status
