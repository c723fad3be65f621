"""The forms of the reports area's settings pages: the annual requirement (text fields the
requirement service reads and checks) and the framework version import."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired

from tracker.framework_years import APPLIES_FROM
from tracker.models import TIERS
from tracker.reports.framework_version import MAX_FILE_BYTES
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


class FrameworkUploadForm(FlaskForm):
    """Step one of "Import a framework version": the file and the year it applies from."""

    file = FileField("Framework file (JSON)", validators=[
        FileRequired("Choose the framework file to upload"),
        FileSize(MAX_FILE_BYTES, message=f"The framework file must be smaller than {MAX_FILE_BYTES // 1024} KB"),
    ])
    applies_from = RadioField("It applies from", choices=[SelectChoice(v, label) for v, label in APPLIES_FROM.items()],
                              validators=[InputRequired("Select the appraisal year it applies from")])


class FrameworkImportForm(FlaskForm):
    """Step two: import the previewed file (kept on the server under `token`)."""

    token = HiddenField()
    applies_from = HiddenField()


class PrepareExportForm(FlaskForm):
    """"Prepare the file and e-mail me when it is ready": which export, its format, and the
    report's filters as a query string (checked again as the report checks them)."""
    key = HiddenField()
    fmt = HiddenField()
    filters = HiddenField()
