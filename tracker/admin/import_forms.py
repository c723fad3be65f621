"""The forms of "Import staff": upload, map a heading, apply, and the tier of each staff group."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField

from tracker.models import StaffGroup
from tracker.staff_import.reading import MAX_FILE_BYTES
from tracker.team.forms import DateInputField, RequiredDate

TIER_CHOICES = [SelectChoice("1", "Tier 1"), SelectChoice("2", "Tier 2"), SelectChoice("3", "Tier 3")]


class UploadForm(FlaskForm):
    file = FileField("Staff file (CSV or Excel)", validators=[
        FileRequired("Choose the staff file to upload"),
        FileSize(MAX_FILE_BYTES, message=f"The staff file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB"),
    ])
    extract_date = DateInputField("Date of the extract", validators=[RequiredDate()],
                                  required_message="Enter the date the extract was taken")
    whole_organisation = BooleanField("This file is the whole organisation")


class KeptFileForm(FlaskForm):
    """What the preview carries to the next step: the kept file's token and the upload's choices."""

    token = HiddenField()
    extract_date = HiddenField()
    whole_organisation = HiddenField()


class ApplyForm(KeptFileForm):
    parent = SelectField("Create the new teams under", choices=[], validate_choice=False)


class TiersForm(FlaskForm):
    """One select per staff group (fields added below: tier_<index>)."""

    def tier_field(self, group: StaffGroup):
        return self[tier_field_name(group)]


def tier_field_name(group: StaffGroup) -> str:
    return f"tier_{list(StaffGroup).index(group)}"


for _group in StaffGroup:
    setattr(TiersForm, tier_field_name(_group), SelectField(_group.label, choices=TIER_CHOICES))
