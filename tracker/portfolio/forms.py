"""The activity form. It only carries what was typed (and the CSRF token); the rules live in
activity_input.check_activity(), whose refusals name these fields."""
from __future__ import annotations

import secrets
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField

from tracker.models import Activity
from tracker.portfolio import evidence
from tracker.portfolio.nhs_number import mask_nhs_numbers
from tracker.portfolio.reflection import MODELS, field_name
from tracker.portfolio.activity_input import ActivityInput
from tracker.portfolio.form_choices import Prefill


class _ActivityFormMethods:
    def prompt_fields(self):
        """(model, [(prompt, field)]) for every reflection model, in order."""
        return [(model, [(prompt, self[field_name(model.model, prompt)]) for prompt in model.prompts])
                for model in MODELS.values()]

    def submit_requested(self) -> bool:
        return self.action.data == "submit"

    def to_input(self, uploads: list[evidence.Upload]) -> ActivityInput:
        answers = {field_name(model.model, prompt): self[field_name(model.model, prompt)].data or ""
                   for model in MODELS.values() for prompt in model.prompts}
        return ActivityInput(
            day=self.occurred_on_day.data or "", month=self.occurred_on_month.data or "",
            year=self.occurred_on_year.data or "", title=self.title.data or "",
            type_id=self.type_id.data or "", hours=self.duration_hours.data or "",
            minutes=self.duration_minutes.data or "", course_id=self.course_id.data or "",
            behaviour_ids=list(self.behaviour_ids.data or []),
            reflection_model=self.reflection_model.data or "", answers=answers,
            manager_may_read=bool(self.manager_may_read.data), uploads=uploads,
            remove_evidence_ids=list(self.remove_evidence.data or []),
            duration_confirmed=self.duration_confirmed.data or "",
            creation_key=self.creation_key.data or "",
        )

    def mask_nhs_numbers(self) -> None:
        """Never show an NHS number back after a refusal: not in the fields refused for one,
        nor in the answers of a model the person switched away from."""
        for f in [self.title] + [f for _, prompts in self.prompt_fields() for _, f in prompts]:
            f.data = mask_nhs_numbers(f.data or "")

    def fill_from_activity(self, activity: Activity) -> None:
        day = activity.occurred_on
        self.occurred_on_day.data, self.occurred_on_month.data, self.occurred_on_year.data = str(day.day), str(day.month), str(day.year)
        self.title.data = activity.title
        self.type_id.data = str(activity.type_id)
        hours, minutes = divmod(activity.duration_minutes or 0, 60)
        self.duration_hours.data = str(hours) if hours or minutes else ""
        self.duration_minutes.data = str(minutes) if hours or minutes else ""
        self.course_id.data = str(activity.course_id) if activity.course_id else ""
        self.behaviour_ids.data = [str(b.id) for b in activity.behaviours]
        self.reflection_model.data = activity.reflection_model.value if activity.reflection_model else ""
        if activity.reflection_model:
            model = MODELS[activity.reflection_model]
            for prompt in model.prompts:
                self[field_name(model.model, prompt)].data = (activity.reflection or {}).get(prompt.key, "")
        self.manager_may_read.data = activity.manager_may_read

    def fill_new(self, today: date, prefill: Prefill) -> None:
        # A new key for each new form; sent back unchanged with every retry of it.
        self.creation_key.data = secrets.token_urlsafe(24)
        self.occurred_on_day.data, self.occurred_on_month.data, self.occurred_on_year.data = str(today.day), str(today.month), str(today.year)
        self.title.data = prefill.title
        self.type_id.data = str(prefill.type_id) if prefill.type_id else ""
        self.duration_hours.data, self.duration_minutes.data = prefill.hours, prefill.minutes
        self.course_id.data = str(prefill.course_id) if prefill.course_id else ""
        self.behaviour_ids.data = [str(i) for i in sorted(prefill.behaviour_ids)]
        self.manager_may_read.data = False  # privacy by default


def _build_activity_form() -> type[FlaskForm]:
    # Fields are created in page order: WTForms keeps creation order, and the error summary follows it.
    fields = {
        "creation_key": HiddenField(),
        "occurred_on_day": StringField("Day"),
        "occurred_on_month": StringField("Month"),
        "occurred_on_year": StringField("Year"),
        "title": StringField("Title"),
        "type_id": StringField("Type of activity"),
        "duration_hours": StringField("Hours"),
        "duration_minutes": StringField("Minutes"),
        "duration_confirmed": StringField("Yes, it is right"),
        "course_id": StringField("Course from the catalogue (optional)"),
        "behaviour_ids": SelectMultipleField("Behaviours", choices=None, validate_choice=False),
        "reflection_model": StringField("Reflection model"),
    }
    for model in MODELS.values():
        for prompt in model.prompts:
            fields[field_name(model.model, prompt)] = TextAreaField(prompt.label, render_kw={"rows": 5})
    fields.update({
        "manager_may_read": BooleanField("My manager may read my full reflection"),
        "evidence": MultipleFileField("Add evidence files (optional)"),
        "remove_evidence": SelectMultipleField("Remove files", choices=None, validate_choice=False),
        "action": StringField(),
    })
    return type("ActivityForm", (_ActivityFormMethods, FlaskForm), fields)


ActivityForm = _build_activity_form()


class ConfirmForm(FlaskForm):
    """Only the CSRF token: withdraw, delete and dismiss are POSTs another site cannot forge."""
