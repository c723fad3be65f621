"""The request side of sessions (tracker/auth/sessions.py): every request's session check,
signing in to a new session, the "Your sessions" page and the time-out warning's endpoints.

A nested blueprint of "auth" (endpoints auth.sessions.*): every endpoint needs a signed-in person
and nothing more."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracker import access
from tracker.audit import client_address
from tracker.auth import sessions
from tracker.auth.forms import SignOutForm
from tracker.extensions import db

bp = Blueprint("sessions", __name__)

# Flask-Login keeps the signed-in id here; for us it is the session's key.
KEY = "_user_id"
# Asked by the warning's script: how long is left, without counting as something the person did.
PASSIVE_ENDPOINTS = frozenset({"auth.sessions.time_left"})
JSON_ENDPOINTS = frozenset({"auth.sessions.time_left", "auth.sessions.stay_signed_in",
                            # the activity form's copy of what was typed, sent by its script
                            "portfolio.typed_copy.show", "portfolio.typed_copy.keep", "portfolio.typed_copy.forget"})
UNCHECKED_ENDPOINTS = frozenset({"static", "assets"})


@bp.before_app_request
def check_session():
    """Every request: is the session still open? One that ran out ends here, and the person is
    told why on the sign-in page (before the access gate, which would only say "Sign in").
    Runs once a request; the second-factor gate, registered earlier, calls it first."""
    if getattr(request, "session_checked", False):
        return None
    request.session_checked = True
    if request.endpoint in UNCHECKED_ENDPOINTS or not session.get(KEY):
        return None
    checked = sessions.check(session[KEY], sessions.now(), activity=request.endpoint not in PASSIVE_ENDPOINTS)
    request.session_check = checked
    if checked.ended or (checked.session is not None and checked.session in db.session.dirty):
        # Written now: a page that only reads would otherwise lose "last seen" and the ending.
        db.session.commit()
    if checked.person is not None:
        return None
    logout_user()
    message = sessions.ended_message(checked.ended) if checked.ended else None
    if message is None:
        return None  # signed out elsewhere, or left: simply not signed in any more
    if request.endpoint in JSON_ENDPOINTS:
        return jsonify(signed_in=False), 401
    flash(message, "info")
    if access.is_public(request.endpoint):
        return None
    return redirect(url_for("auth.sign_in"))


def person_for(key: str):
    """Flask-Login's user loader: the person this request's session key opens, or None."""
    checked = getattr(request, "session_check", None) if request else None
    if checked is None:
        checked = sessions.check(key, sessions.now(), activity=False)
        request.session_check = checked
    return checked.person


def current_session():
    """This request's session record (None when not signed in)."""
    checked = getattr(request, "session_check", None)
    return checked.session if checked is not None and checked.person is not None else None


def begin(person) -> None:
    """Sign `person` in to a new session: nothing from before signing in is carried over (a
    session fixed by someone else beforehand is worthless), and a new key goes in the cookie.
    The caller commits."""
    session.clear()
    key, record = sessions.open_session(person, address=client_address(),
                                        user_agent=request.headers.get("User-Agent"), at=sessions.now())
    login_user(person)
    session[KEY] = key
    request.session_check = sessions.Checked(session=record, person=person)


def carry_on(person) -> None:
    """After the signed-in person's own token rotated: this session goes on, the others end.
    The caller commits."""
    record = current_session()
    if record is not None:
        sessions.carry_on(record, person)


@bp.app_context_processor
def _warning():
    return {"session_warning": session_warning}


def session_warning() -> dict | None:
    """What the time-out warning on this page needs, when someone is signed in."""
    record = current_session()
    if record is None:
        return None
    # The same on every page of one session (no count of seconds that moves with the clock): this
    # request restarted the idle time, and the script asks the server before it warns.
    return {"idle_seconds": sessions.idle_seconds(), "warning_seconds": sessions.warning_seconds(),
            "ends_by": sessions.ends_by(record).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


@bp.route("/account/sessions")
def index():
    at = sessions.now()
    rows = db.session.scalars(sessions.active_sessions(current_user, at)).all()
    current = current_session()
    return render_template("auth/sessions.html", rows=rows, current_id=current.id if current else None,
                           device_words=sessions.device_words, moment_words=sessions.moment_words,
                           form=SignOutForm(), idle_minutes=max(1, sessions.idle_seconds() // 60),
                           absolute_minutes=int(sessions.absolute_lifetime().total_seconds() // 60))


@bp.route("/account/sessions/<int:session_id>/sign-out", methods=["POST"])
def sign_out_one(session_id: int):
    form = SignOutForm()
    if not form.validate_on_submit():
        return redirect(url_for(".index")), 303
    at = sessions.now()
    record = sessions.active_session_for(current_user, session_id, at)
    if record.id == current_session().id:
        return redirect(url_for(".index")), 303  # this device signs out with "Sign out"
    sessions.sign_out_one(current_user, record, at, user_agent=_user_agent())
    db.session.commit()
    flash(f"Signed out of {sessions.device_words(record.user_agent)}.", "success")
    return redirect(url_for(".index"))


@bp.route("/account/sessions/sign-out-others", methods=["POST"])
def sign_out_others():
    form = SignOutForm()
    if form.validate_on_submit():
        count = sessions.sign_out_others(current_user, current_session(), sessions.now(), user_agent=_user_agent())
        db.session.commit()
        flash("You have signed out of all other devices." if count else "You were not signed in on any other device.",
              "success")
    return redirect(url_for(".index"))


@bp.route("/account/sessions/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    form = SignOutForm()
    if not form.validate_on_submit():
        return redirect(url_for(".index"))
    sessions.sign_out_everywhere(current_user._get_current_object(), sessions.now(), user_agent=_user_agent())
    db.session.commit()
    logout_user()
    flash("You have signed out of all devices.", "success")
    return redirect(url_for("auth.sign_in"))


# --- the time-out warning's endpoints (tracker/static/session-timeout.js) ------------------


@bp.route("/session/time-left")
def time_left():
    return jsonify(signed_in=True, seconds_left=sessions.seconds_left(current_session(), sessions.now()))


@bp.route("/session/stay-signed-in", methods=["POST"])
def stay_signed_in():
    form = SignOutForm()  # only the CSRF token
    if not form.validate_on_submit():
        return jsonify(signed_in=True, error="csrf"), 400
    at = sessions.now()
    sessions.extend(current_session(), at)
    db.session.commit()
    return jsonify(signed_in=True, seconds_left=sessions.seconds_left(current_session(), at))


@bp.route("/session/timed-out", methods=["POST"])
def timed_out():
    """The warning's countdown reached nought (after saving any typed text as a draft): this
    session ends as if idle, and the sign-in page says why."""
    form = SignOutForm()
    if form.validate_on_submit():
        sessions.end(current_session(), sessions.IDLE, sessions.now(), user_agent=_user_agent())
        db.session.commit()
        logout_user()
        flash(sessions.ended_message(sessions.IDLE), "info")
    return redirect(url_for("auth.sign_in"))
