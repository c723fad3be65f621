"""The activity form's copy of what was typed, kept on the server (tracker/portfolio/typed_copies.py):
read it back, keep a newer one, forget it. A nested blueprint of "portfolio" (endpoints
portfolio.typed_copy.*): each answer is the signed-in person's own copy, of the new-activity form
or of changing one of their own activities (access.own_activity_for: another person's is a 404)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from tracker import access, appraisal_year
from tracker.db_retry import retry_if_locked
from tracker.extensions import db
from tracker.portfolio import typed_copies
from tracker.portfolio.forms import ConfirmForm

bp = Blueprint("typed_copy", __name__)

NEW_URL = "/activities/new/typed-copy"
CHANGE_URL = "/activities/<int:activity_id>/typed-copy"


def _form(activity_id: int | None) -> str:
    if activity_id is None:
        return typed_copies.NEW
    return typed_copies.form_of(access.own_activity_for(current_user, activity_id))


def _csrf_refused():
    return jsonify(error="csrf"), 400


@bp.route(NEW_URL, defaults={"activity_id": None})
@bp.route(CHANGE_URL)
def show(activity_id: int | None):
    copy = typed_copies.unsaved(current_user, _form(activity_id), appraisal_year.now())
    db.session.commit()  # a copy past its time is removed
    if copy is None:
        return jsonify(fields=None)
    return jsonify(fields=copy.fields, page=copy.page, saved_at=copy.saved_at.strftime("%Y-%m-%dT%H:%M:%SZ"))


@bp.route(NEW_URL, methods=["POST"], defaults={"activity_id": None})
@bp.route(CHANGE_URL, methods=["POST"])
def keep(activity_id: int | None):
    form = _form(activity_id)
    if not ConfirmForm().validate_on_submit():
        return _csrf_refused()
    page = typed_copies.page_id(request.form.get("page"))
    fields = typed_copies.fields_from(request.form.get("fields"))
    if page is None or fields is None:
        return jsonify(error="not a copy of this form"), 400
    if typed_copies.too_many(current_user):
        return jsonify(error="too many"), 429
    # A copy can arrive while the form itself is being saved: on SQLite one of them may find the
    # database locked, and the copy is the one to write again.
    kept = retry_if_locked(lambda: typed_copies.keep(current_user, form, page, fields, appraisal_year.now()))
    return jsonify(kept=kept)


@bp.route(NEW_URL + "/forget", methods=["POST"], defaults={"activity_id": None})
@bp.route(CHANGE_URL + "/forget", methods=["POST"])
def forget(activity_id: int | None):
    """With the page's id ("Forget what I typed"), that page's copies are not taken from now on;
    without one ("Discard it", of a copy from an earlier visit), the copy simply goes."""
    form = _form(activity_id)
    if not ConfirmForm().validate_on_submit():
        return _csrf_refused()
    page = typed_copies.page_id(request.form.get("page"))
    retry_if_locked(lambda: typed_copies.close(current_user, form, page, appraisal_year.now()))
    return jsonify(kept=False)
