"""Forms of the manager area."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from tracker.date_input import parse_date_parts
from tracker.models import ExemptionReason, LeadershipActionKind
from tracker.team import services


class DateInputField(Field):
    """A date typed as day, month and year (the NHS date input): fields <name>-day, -month, -year."""

    def __init__(self, label=None, validators=None, required_message="Enter a date", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.parts = {"day": "", "month": "", "year": ""}

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.data = data if isinstance(data, date) else None
        self.raw_data = None
        if self.data is not None:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        self.parts = {part: (formdata.get(f"{self.name}-{part}") or "").strip()[:10] for part in self.parts}
        self.raw_data = list(self.parts.values())
        self.data, message = parse_date_parts(**self.parts, label=self.label.text)
        if message:
            self.process_errors.append(message)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation(self.process_errors[0])
        if self.data is None and self.flags.required:
            raise StopValidation(self.required_message)


class RequiredDate:
    """Marks a DateInputField as required (its own pre_validate gives the message)."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


def _decimal(value: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


class DecisionForm(FlaskForm):
    feedback = TextAreaField(
        "Feedback", validators=[Length(max=services.FEEDBACK_MAX, message="Feedback must be 2000 characters or fewer")],
        render_kw={"rows": 4},
    )


class ExemptionForm(FlaskForm):
    reason = RadioField(
        "Reason", choices=[SelectChoice(r.value, r.label) for r in ExemptionReason],
        validators=[InputRequired(message="Choose the reason for the exemption")],
    )
    reason_detail = StringField(
        "Describe the reason", validators=[Length(max=services.DETAIL_MAX, message="The reason must be 300 characters or fewer")]
    )
    starts_on = DateInputField("Start date", validators=[RequiredDate()], required_message="Enter the start date")
    # Optional: left blank, the exemption is open-ended and listed for the manager to review.
    ends_on = DateInputField("End date")


class EndExemptionForm(FlaskForm):
    """Ending an exemption early: its new last day (the view fills in today)."""
    ends_on = DateInputField("Last day of the exemption", validators=[RequiredDate()],
                             required_message="Enter the last day of the exemption")


class ConfirmForm(FlaskForm):
    """Only the CSRF token: a confirmation page's "Yes" button."""


class LeadershipActionForm(FlaskForm):
    kind = RadioField(
        "What did you do?", choices=[SelectChoice(k.value, k.label) for k in LeadershipActionKind],
        validators=[InputRequired(message="Choose what you did")],
    )
    occurred_on = DateInputField("Date", validators=[RequiredDate()], required_message="Enter the date")
    hours = StringField("Hours (for protected learning time)", validators=[Optional(), Length(max=12)],
                        render_kw={"inputmode": "decimal"})
    unit = SelectField("Team", choices=[], validate_choice=False)
    note = TextAreaField("Note (optional)", validators=[Length(max=services.NOTE_MAX, message="The note must be 1000 characters or fewer")],
                         render_kw={"rows": 3})

    def hours_value(self) -> Decimal | None:
        try:
            return _decimal(self.hours.data)
        except ValueError:
            self.hours.errors = list(self.hours.errors) + ["Enter hours as a number, like 1.5"]
            return None


class BulkSignOffForm(FlaskForm):
    """Only the CSRF token: the chosen activities come as repeated activity_id values."""


class UndoForm(FlaskForm):
    """Only the CSRF token: the decision to undo is the one in the URL."""


class ReminderForm(FlaskForm):
    """Only the CSRF token: the chosen people come as repeated person_id values."""
