"""The second step of signing in, on the auth blueprint: after the right password a person who
needs a second factor is not signed in yet; the session holds a "password passed" marker until
they give a code (or set up their authenticator app, the first time). One gate, before every
request, sends a signed-in person who needs a second factor and has not given one (their role
changed, or the organisation turned it on) back through this step."""
from __future__ import annotations

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from markupsafe import Markup

from tracker.auth import mfa, session_routes, sso
from tracker.auth.mfa_forms import CodeForm, RecoveryCodeForm
from tracker.auth.routes import bp, complete_sign_in, safe_next
from tracker.extensions import db
from tracker.models import Person
from tracker.views import commit_or_show_errors

PASSWORD_PASSED = "password_passed"
SECOND_FACTOR_PASSED = "second_factor_passed"
# The marker lapses: a password typed long ago on a shared computer does not wait for a code.
MARKER_SECONDS = 10 * 60


def start_second_step(person: Person, next_url: str | None):
    """The password was right: remember that (not signed in yet) and ask for the second factor."""
    session[PASSWORD_PASSED] = {"person": person.id, "token": person.session_token, "since": mfa.now(),
                                "next": next_url or ""}
    return redirect(url_for("auth.second_factor" if mfa.is_enrolled(person) else "auth.set_up_second_factor"))


def _passed_person() -> Person | None:
    """The person whose password passed in this session, while the marker holds (not lapsed, and
    their sessions not ended since: a password set by link or an admin's reset ends it)."""
    marker = session.get(PASSWORD_PASSED)
    if not isinstance(marker, dict) or mfa.now() - float(marker.get("since", 0)) > MARKER_SECONDS:
        return None
    person = db.session.get(Person, int(marker.get("person", 0)))
    if person is None or not person.active or person.session_token != marker.get("token"):
        return None
    return person


def _finish(person: Person):
    next_url = safe_next(session.pop(PASSWORD_PASSED, {}).get("next"))
    # SSO: a person who came through a provider and owed the tracker's second factor.
    response = complete_sign_in(person, next_url, provider=sso.provider(session.pop(sso.PENDING_PROVIDER, "") or ""))
    session[SECOND_FACTOR_PASSED] = person.id
    return response


def _refused(person: Person, form, message: str):
    """A wrong code: shown on the field; once the person's wrong codes reach the limit, back to
    the password (the count is kept on the server, not in this session)."""
    db.session.commit()  # the refusal's count and audit event
    if mfa.is_paused(person):
        session.pop(PASSWORD_PASSED, None)
        flash(mfa.TOO_MANY, "error")
        return redirect(url_for("auth.sign_in"))
    form.code.errors = [message]
    return None


def _again():
    session.pop(PASSWORD_PASSED, None)
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor():
    person = _passed_person()
    if person is None:
        return _again()
    if not mfa.is_enrolled(person):
        return redirect(url_for("auth.set_up_second_factor"))
    form = CodeForm()
    if request.method == "POST" and form.validate_on_submit():
        problem = mfa.check_code(person, form.code.data)
        if problem is None:
            return _finish(person)
        answer = _refused(person, form, problem)
        if answer is not None:
            return answer
    # No csrf_token field when CSRF is off (the benches): a refused code is then an ordinary 200.
    status = 400 if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors else 200
    return render_template("auth/second_factor.html", form=form), status, {"Cache-Control": "no-store"}


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
def recovery_code():
    person = _passed_person()
    if person is None:
        return _again()
    if not mfa.is_enrolled(person):
        return redirect(url_for("auth.set_up_second_factor"))
    form = RecoveryCodeForm()
    if request.method == "POST" and form.validate_on_submit():
        problem = mfa.use_recovery_code(person, form.code.data)
        if problem is None:
            flash("You used a recovery code. Each code works once: ask an admin to reset your second factor "
                  "if you have lost your authenticator app.", "success")
            return _finish(person)
        answer = _refused(person, form, problem)
        if answer is not None:
            return answer
    status = 400 if form.csrf_token.errors else 200
    return render_template("auth/recovery_code.html", form=form), status, {"Cache-Control": "no-store"}


def qr_code(uri: str) -> Markup:
    """The QR code as an inline <svg> (drawn here: no script, no image from elsewhere)."""
    drawing = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff",
                                                     title="QR code for your authenticator app")
    return Markup(drawing.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" '
                                  'class="app-qr-code" focusable="false" ', 1))


@bp.route("/sign-in/set-up-authenticator-app", methods=["GET", "POST"])
def set_up_second_factor():
    person = _passed_person()
    if person is None:
        return _again()
    if mfa.is_enrolled(person):
        return redirect(url_for("auth.second_factor"))
    form = CodeForm()
    if request.method == "POST" and form.validate_on_submit():
        codes = commit_or_show_errors(form, lambda: mfa.enrol(person, form.code.data))
        if codes is not None:
            next_url = safe_next(session.get(PASSWORD_PASSED, {}).get("next"))
            _finish(person)
            # Shown once, on this answer; only their hashes are kept.
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=next_url or url_for("home.index")), {"Cache-Control": "no-store"}
        mfa.refuse_enrolment_code(person)
        answer = _refused(person, form, form.code.errors[0] if form.code.errors else mfa.WRONG_CODE)
        if answer is not None:
            return answer
    secret = mfa.secret_being_set_up(person)
    db.session.commit()
    status = 400 if form.csrf_token.errors else 200
    return render_template("auth/set_up_second_factor.html", form=form, secret=secret,
                           qr=qr_code(mfa.provisioning_uri(person, secret))), status, {"Cache-Control": "no-store"}


@bp.before_app_request
def _second_factor_gate():
    """Nothing but the second step for a signed-in person who needs a second factor and has not
    given one in this session."""
    ended = session_routes.check_session()  # a session that ran out ends first, with its message
    if ended is not None:
        return ended
    if request.endpoint in (None, "static", "assets") or not current_user.is_authenticated:
        return None
    person = current_user._get_current_object()
    if session.get(SECOND_FACTOR_PASSED) == person.id or not mfa.needs_second_factor(person):
        return None
    logout_user()
    return start_second_step(person, request.full_path.rstrip("?") if request.method == "GET" else None)
