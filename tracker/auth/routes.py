"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tracker.auth.forms import SignInForm, SignOutForm
from tracker.auth.services import (authenticate, end_sessions, load_session_person, record_failed_sign_in,
                                   record_sign_in, record_sign_out)
from tracker.extensions import db, login_manager

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Your email address or password is incorrect"


@login_manager.user_loader
def _load_person(session_id: str):
    return load_session_person(session_id)


def safe_next(target: str | None) -> str | None:
    """Follow `next` only when it stays on this site: a path, no scheme, no host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
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
