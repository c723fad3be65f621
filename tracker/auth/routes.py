"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from tracker.auth import guard, links, mfa, notification_routes, session_routes, sessions, sso
from tracker.auth.forms import ChangePasswordForm, SetPasswordForm, SignInForm, SignOutForm
from tracker.auth.services import (MIN_PASSWORD_LENGTH, WRONG_CURRENT_PASSWORD, authenticate, change_password,
                                   record_sign_in, record_sign_out)
from tracker.audit import record
from tracker.extensions import db, login_manager
from tracker.portfolio import typed_copies
from tracker.views import commit_or_show_errors

bp = Blueprint("auth", __name__)
bp.register_blueprint(session_routes.bp)  # sessions: "Your sessions" and the time-out warning
bp.register_blueprint(notification_routes.bp)  # "Notification settings"

SIGN_IN_FAILED = "Your email address or password is incorrect"


@login_manager.user_loader
def _load_person(session_id: str):
    return session_routes.person_for(session_id)  # sessions: the id is the session record's key


def safe_next(target: str | None) -> str | None:
    """Follow `next` only when it stays on this site: a path, no scheme, no host. No spaces or
    control characters either: browsers drop tabs and line breaks (a slash, a tab and "/host" is "//host"), and
    a line break in a Location header is a refused response."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if len(target) > 2000 or any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def render_sign_in(form: SignInForm, status: int = 200):
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_sign_in(form)
    if not form.validate_on_submit():
        return render_sign_in(form, 400 if form.csrf_token.errors else 200)
    # auth-guard: limits before the password is checked, the failure counted, the lock-out after.
    attempt = guard.Attempt(form.email.data)
    wait = attempt.wait()
    if wait is not None:
        form.form_errors.append(attempt.refuse(wait))
        db.session.commit()
        return render_sign_in(form, 429)
    person = authenticate(form.email.data, form.password.data)
    if person is None:
        attempt.failed()
        db.session.commit()
        form.form_errors.append(SIGN_IN_FAILED)
        return render_sign_in(form)
    if attempt.locked_out(person):
        db.session.commit()
        form.form_errors.append(guard.LOCKED_OUT)
        return render_sign_in(form)
    # auth-guard ends.
    # SSO: with a provider, a password may be for admins only (PASSWORD_SIGN_IN), or for nobody.
    if not sso.password_allowed(person):
        record(person, sso.PASSWORD_REFUSED, person=person, mode=sso.password_mode())
        db.session.commit()
        form.form_errors.append(sso.PASSWORD_NOT_ALLOWED)
        return render_sign_in(form)
    # MFA: a person who needs a second factor gives it before the session is made (mfa_routes.py).
    if mfa.needs_second_factor(person):
        session.pop(sso.PENDING_PROVIDER, None)  # SSO: this second step follows a password, not a provider
        return mfa_routes.start_second_step(person, safe_next(form.next.data))
    # End MFA.
    return complete_sign_in(person, safe_next(form.next.data))


def complete_sign_in(person, next_url: str | None, provider=None, **detail):
    """Make the session of a person who has passed every check (also the end of the second step);
    `provider` when they came through single sign-on (tracker/auth/sso_routes.py)."""
    record_sign_in(person, **({"provider": provider.name, **detail} if provider else detail))
    db.session.commit()
    # After the commit, so the signed-in person is loaded afresh, not left expired by it.
    session_routes.begin(person)  # sessions: a new session and a new cookie (never the one before)
    db.session.commit()  # sessions: its record
    if provider is not None:
        session[sso.SIGNED_IN_WITH] = provider.slug
    return redirect(next_url or url_for("home.index"))


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        person = current_user._get_current_object()
        sessions.end(session_routes.current_session(), sessions.SIGNED_OUT, sessions.now())  # sessions: only this one
        record_sign_out(person)
        typed_copies.forget_all(person)  # the activity form's copies: "kept … until you save or sign out"
        db.session.commit()
        logout_user()
        # SSO: signed out of the tracker, still signed in at the provider: the sign-in page offers its sign-out.
        provider = session.pop(sso.SIGNED_IN_WITH, None)
        if provider:
            session[sso.OFFER_END_SESSION] = provider
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The page a set-password link opens (public: the person has no password yet). An unknown,
    expired or used link gets one page that never says which."""
    if links.usable_link(token) is None:
        return render_template("auth/link_unusable.html"), 404
    form = SetPasswordForm()
    if request.method == "POST" and form.validate_on_submit():
        person = commit_or_show_errors(form, lambda: links.set_password_by_link(
            token, form.password.data, form.confirmation.data))
        if person is not None:
            if current_user.is_authenticated:
                logout_user()
            flash("Your password is set. Sign in with your email address and new password.", "success")
            return redirect(url_for("auth.sign_in"))
        if links.UNUSABLE in form.form_errors:
            return render_template("auth/link_unusable.html"), 404
    status = 400 if form.csrf_token.errors else 200
    # The address holds the token: keep the page out of caches.
    return render_template("auth/set_password.html", form=form, min_length=MIN_PASSWORD_LENGTH), status, \
        {"Cache-Control": "no-store"}


@bp.route("/change-password", methods=["GET", "POST"])
@login_required
def change_own_password():
    """A signed-in person changes their password; every other session of theirs ends."""
    form = ChangePasswordForm()
    status = 400 if form.csrf_token.errors else 200
    if request.method == "POST" and form.validate_on_submit():
        person = current_user._get_current_object()
        # The current password is guessed through here too (a stolen session): the same limits.
        attempt = guard.Attempt(person.email)
        wait = attempt.wait()
        if wait is not None:
            form.form_errors.append(attempt.refuse(wait))
            db.session.commit()
            status = 429
        elif form.new_password.data != form.confirmation.data:
            form.confirmation.errors = [links.PASSWORDS_DIFFER]
        elif commit_or_show_errors(form, lambda: change_password(
                person, form.current_password.data, form.new_password.data) or True):
            # sessions: this device gets a new session; every other one ended with the old token.
            session_routes.begin(person)
            db.session.commit()
            flash("Your password has been changed. You have been signed out on other devices.", "success")
            return redirect(url_for("home.index"))
        elif form.current_password.errors == [WRONG_CURRENT_PASSWORD]:
            attempt.failed()
            db.session.commit()
    return render_template("auth/change_password.html", form=form, min_length=MIN_PASSWORD_LENGTH), status, \
        {"Cache-Control": "no-store"}


# MFA: the second step's pages register on this blueprint (imported last: they import `bp` from here).
from tracker.auth import mfa_routes  # noqa: E402
from tracker.auth import sso_routes  # noqa: E402,F401  (single sign-on's pages)
# "Forgotten your password?" registers on this blueprint too.
from tracker.auth import reset_routes  # noqa: E402,F401
