"""Observed practice pages: the requester asks, reminds once or cancels (from their activity);
the observer answers at a token address without signing in.

Views are thin: ask access for the object (or a 404), hand plain values to a service, commit once.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import access
from tracker.extensions import db
from tracker.observation import answers, links, pages, requests
from tracker.observation.forms import AskForm, ConfirmForm, answer_form
from tracker.portfolio.behaviours import group_by_subject, tier_behaviours
from tracker.portfolio.nhs_number import mask_nhs_numbers
from tracker.views import commit_or_show_errors

bp = Blueprint("observation", __name__)

# The address holds a live token: keep such pages out of caches and out of Referer headers.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
NOT_OPEN = "You can ask for an observation while the activity is a draft or has been returned to you."


def _domains() -> list[str]:
    return requests.allowed_domains(current_app.config["OBSERVER_EMAIL_DOMAINS"])


def _link_page(activity, observation, token: str, reminded: bool = False):
    """The link was e-mailed to the observer; it is also shown once, as an e-mail may not arrive."""
    link = url_for("observation.answer", token=token, _external=True)
    return render_template("observation/link.html", activity=activity, observer_name=observation.observer_name,
                           observer_email=observation.observer_email, link=link, reminded=reminded), 200, PRIVATE


@bp.route("/activities/<int:activity_id>/observers/new", methods=["GET", "POST"])
def ask(activity_id: int):
    activity = access.own_activity_for(current_user, activity_id)
    if not pages.may_ask(activity):
        flash(NOT_OPEN, "info")
        return redirect(url_for("portfolio.activity", activity_id=activity.id))
    form = AskForm()
    if request.method == "GET" and request.args.get("observer_name"):
        form.observer_name.data = request.args["observer_name"][:200]
    if request.method == "POST" and form.validate_on_submit():
        made = commit_or_show_errors(form, lambda: requests.ask(current_user, activity, form.to_input(), _domains()))
        if made is not None:
            token, made_request = made
            return _link_page(activity, made_request, token)
        form.situation_note.data = mask_nhs_numbers(form.situation_note.data or "")
        form.observer_name.data = mask_nhs_numbers(form.observer_name.data or "")
    behaviours = tier_behaviours(current_user.tier)
    ticked = {str(v) for v in (form.behaviour_ids.data or [])}
    status = 400 if form.csrf_token.errors else 200
    return render_template(
        "observation/ask.html", form=form, activity=activity, domains=_domains(), most=requests.MOST_BEHAVIOURS,
        groups=group_by_subject(behaviours, open_ids={int(v) for v in ticked if v.isdigit()}), ticked=ticked,
    ), status


@bp.route("/activities/<int:activity_id>/observers/colleagues")
def colleagues(activity_id: int):
    """Colleagues in the tracker by name and team, to fill in the observer's name."""
    activity = access.own_activity_for(current_user, activity_id)
    typed = (request.args.get("name") or "")[:100]
    found = db.session.execute(access.colleague_names(current_user, typed)).all()
    return render_template("observation/colleagues.html", activity=activity, typed=typed, found=found,
                           letters=access.observation.COLLEAGUE_LETTERS)


@bp.route("/observations/<int:request_id>/remind", methods=["POST"])
def remind(request_id: int):
    observation = access.own_observation_request_for(current_user, request_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        token = commit_or_show_errors(form, lambda: requests.remind(current_user, observation))
        if token is not None:
            return _link_page(observation.activity, observation, token, reminded=True)
        flash(form.form_errors[0], "info")
    return redirect(url_for("portfolio.activity", activity_id=observation.activity_id))


@bp.route("/observations/<int:request_id>/cancel", methods=["GET", "POST"])
def cancel(request_id: int):
    observation = access.own_observation_request_for(current_user, request_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        commit_or_show_errors(form, lambda: requests.cancel(current_user, observation))
        if not form.form_errors:
            flash(f"You cancelled the request to {observation.observer_name}. Their link no longer works.", "success")
        else:
            flash(form.form_errors[0], "info")
        return redirect(url_for("portfolio.activity", activity_id=observation.activity_id))
    status = 400 if form.csrf_token.errors else 200
    return render_template("observation/cancel.html", observation=observation, form=form), status


@bp.route("/observe/<token>", methods=["GET", "POST"])
def answer(token: str):
    """The observer's form (public: the token is the credential). A used, expired, cancelled or
    unknown link gets one page that never says which, nor whose it was."""
    observation = links.usable_request(token)
    if observation is None:
        return render_template("observation/link_unusable.html"), 404, PRIVATE
    if current_user.is_authenticated and current_user.id == observation.requester_id:
        # Feedback on one's own practice comes from someone else: nothing is opened or kept.
        return render_template("observation/own_link.html", observation=observation), 200, PRIVATE
    form = answer_form(observation)
    if request.method == "POST" and form.validate_on_submit():
        done = commit_or_show_errors(form, lambda: answers.answer(token, form.to_answer()))
        if done is not None:
            return render_template("observation/thanks.html"), 200, PRIVATE
        if answers.UNUSABLE in form.form_errors:
            return render_template("observation/link_unusable.html"), 404, PRIVATE
        for f in form:
            if f.type in ("TextAreaField", "StringField"):
                f.data = mask_nhs_numbers(f.data or "")
    if request.method == "GET":
        answers.open_link(observation)
        db.session.commit()
    status = 400 if form.csrf_token.errors else 200
    return render_template("observation/answer.html", form=form, observation=observation,
                           requester=observation.requester), status, PRIVATE
