"""The "Notification settings" page: what the signed-in person receives by e-mail. A nested
blueprint of "auth" (endpoint auth.notifications.settings): signing in is all it needs. The rule of
who may choose what is tracker/notifications/preferences.py."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField

from tracker.notifications import preferences
from tracker.views import commit_or_show_errors

bp = Blueprint("notifications", __name__)

SAVED = "Your notification settings have been saved."


class SettingsForm(FlaskForm):
    # The service checks the values (preferences.save), so the form lets any through to it.
    submissions = RadioField("How do you want to hear about activities waiting for your sign-off?",
                             choices=[SelectChoice(value, label) for value, label in preferences.SUBMISSION_CHOICES.items()], validate_choice=False)
    receive = SelectMultipleField("Other e-mails you receive", choices=[SelectChoice(value, label) for value, label in preferences.OPTIONAL.items()],
                                  validate_choice=False)


@bp.route("/account/notifications", methods=["GET", "POST"])
def settings():
    person = current_user._get_current_object()
    decider, offered = preferences.shown_to(person)
    form = SettingsForm()
    status = 400 if form.csrf_token.errors else 200
    if request.method == "GET":
        chosen = preferences.current(person)
        form.submissions.data = chosen["submissions"]
        form.receive.data = [name for name in offered if chosen[name]]
    elif form.validate_on_submit():
        choices = preferences.Choices(submissions=(form.submissions.data or "") if decider else None,
                                      receive=frozenset(form.receive.data or ()), offered=tuple(offered))
        if commit_or_show_errors(form, lambda: preferences.save(person, choices)) is not None:
            flash(SAVED, "success")
            return redirect(url_for("auth.notifications.settings"))
    return render_template("auth/notification_settings.html", form=form, decider=decider,
                           offered=offered, optional=preferences.OPTIONAL), status
