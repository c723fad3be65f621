"""The requester's form and the observer's form. They carry what was typed (and the CSRF token);
the rules live in requests.py and answers.py, whose refusals name these fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField

from tracker.models import SeenScale
from tracker.observation.answers import Answer, comment_field, seen_field
from tracker.observation.requests import AskInput


class AskForm(FlaskForm):
    observer_name = StringField("Observer's name", render_kw={"autocomplete": "off", "spellcheck": "false"})
    observer_email = StringField("Observer's e-mail address",
                                 render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false"})
    # Choices are the requester's tier's behaviours; the service checks them, so no choice validation here.
    behaviour_ids = SelectMultipleField("Behaviours to observe", choices=[], validate_choice=False)
    situation_note = TextAreaField("A note about the situation (optional)", render_kw={"rows": 3})

    def to_input(self) -> AskInput:
        return AskInput(observer_name=self.observer_name.data or "", observer_email=self.observer_email.data or "",
                        behaviour_ids=list(self.behaviour_ids.data or []),
                        situation_note=self.situation_note.data or "")


class ConfirmForm(FlaskForm):
    """Only the CSRF token: reminding and cancelling are POSTs another site cannot forge."""


SCALE_CHOICES = [SelectChoice(s.value, s.label) for s in SeenScale]


def answer_form(request):
    """The observer's form for one request: a scale and a comment per chosen behaviour."""

    class AnswerForm(FlaskForm):
        went_well = TextAreaField("What went well", render_kw={"rows": 4})
        try_next = TextAreaField("What to try next time", render_kw={"rows": 4})
        answered_name = StringField("Your name", default=request.observer_name,
                                    render_kw={"autocomplete": "name", "spellcheck": "false"})
        answered_role = StringField("Your role", render_kw={"autocomplete": "organization-title"})

        def behaviour_fields(self):
            return [(observed.behaviour, self[seen_field(observed.behaviour_id)],
                     self[comment_field(observed.behaviour_id)]) for observed in request.observed]

        def to_answer(self) -> Answer:
            ids = [observed.behaviour_id for observed in request.observed]
            return Answer(seen={b: self[seen_field(b)].data for b in ids},
                          comments={b: self[comment_field(b)].data or "" for b in ids},
                          went_well=self.went_well.data or "", try_next=self.try_next.data or "",
                          name=self.answered_name.data or "", role=self.answered_role.data or "")

    for observed in request.observed:
        setattr(AnswerForm, seen_field(observed.behaviour_id),
                RadioField("What you saw", choices=SCALE_CHOICES, validate_choice=False))
        setattr(AnswerForm, comment_field(observed.behaviour_id),
                TextAreaField("Comment (optional)", render_kw={"rows": 2}))
    return AnswerForm()
