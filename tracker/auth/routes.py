"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tracker.auth import links
from tracker.auth.forms import SetPasswordForm, SignInForm, SignOutForm
from tracker.auth.services import (MIN_PASSWORD_LENGTH, authenticate, end_sessions, load_session_person,
                                   record_failed_sign_in, record_sign_in, record_sign_out)
from tracker.extensions import db, login_manager
from tracker.views import commit_or_show_errors

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Your email address or password is incorrect"


@login_manager.user_loader
def _load_person(session_id: str):
    return load_session_person(session_id)


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
    person = authenticate(form.email.data, form.password.data)
    if person is None:
        record_failed_sign_in(form.email.data)
        db.session.commit()
        form.form_errors.append(SIGN_IN_FAILED)
        return render_sign_in(form)
    record_sign_in(person)
    db.session.commit()
    # After the commit, so the signed-in person is loaded afresh, not left expired by it.
    login_user(person)
    return redirect(safe_next(form.next.data) or url_for("home.index"))


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        person = current_user._get_current_object()
        end_sessions(person)
        record_sign_out(person)
        db.session.commit()
        logout_user()
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
