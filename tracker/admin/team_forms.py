"""Forms of the Teams pages (tracker/admin/teams.py). Dates are "From when?": the day a change
takes effect, today by default."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tracker.admin.unit_changes import KINDS_BENEATH, NAME_MAX
from tracker.team.forms import DateInputField, RequiredDate

FROM_WHEN = "From when?"


def _from_when(required_message: str = "Enter the date the change takes effect"):
    return DateInputField(FROM_WHEN, validators=[RequiredDate()], required_message=required_message)


class RenameUnitForm(FlaskForm):
    name = StringField("New name", render_kw={"maxlength": NAME_MAX})
    on = _from_when()


class MoveUnitForm(FlaskForm):
    # Validated by the service (tracker.admin.unit_changes.move): the parent must be an open unit.
    parent = SelectField("Move it under", choices=[], validate_choice=False)
    on = _from_when()


class AddUnitForm(FlaskForm):
    name = StringField("Name", render_kw={"maxlength": NAME_MAX})
    kind = RadioField("Kind of unit", choices=[SelectChoice(k.value, k.label) for k in KINDS_BENEATH],
                      validate_choice=False)
    on = _from_when("Enter the date the unit starts")


class CloseUnitForm(FlaskForm):
    on = _from_when("Enter the date the unit closes")


class GiveScopeForm(FlaskForm):
    person = StringField("Email address or employee number", render_kw={"autocomplete": "off", "spellcheck": "false"})


class TakeScopeForm(FlaskForm):
    """Only the CSRF token."""
