"""The annual requirement form: text fields the requirement service reads and checks."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from tracker.models import TIERS
from tracker.reports.requirement import field_names


class RequirementForm(FlaskForm):
    target = StringField("Compliance target", render_kw={"inputmode": "numeric"})
    amber_band = StringField("Amber band", render_kw={"inputmode": "numeric"})

    def tier_fields(self, tier: int) -> dict:
        return {key: self[name] for key, name in field_names(tier).items()}


for _tier in TIERS:
    _names = field_names(_tier)
    setattr(RequirementForm, _names["activities"], StringField("Experiential activities", render_kw={"inputmode": "numeric"}))
    setattr(RequirementForm, _names["hours"], StringField("Hours of experiential activity", render_kw={"inputmode": "decimal"}))
    setattr(RequirementForm, _names["behaviours"], StringField("Different behaviours", render_kw={"inputmode": "numeric"}))
    setattr(RequirementForm, _names["leadership"], BooleanField("At least one behaviour from a leadership subject"))
