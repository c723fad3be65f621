"""The hub's forms. They parse and carry the CSRF token; the rules live in catalogue.py, library.py
and sections.py."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectChoice,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from tracker.hub.catalogue import FORMATS, LEVELS
from tracker.hub.library import AUDIENCES
from tracker.hub.sections import SECTION_TITLES
from tracker.input_guard import record_id_choice


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class _FilterForm(FlaskForm):
    """Filters travel in the query string, so a filtered page can be bookmarked or shared."""

    class Meta:
        csrf = False


class CatalogueFilterForm(_FilterForm):
    q = SearchField("Search by title, provider or description")
    format = SelectMultipleField("Format", choices=choices(FORMATS.items()), validate_choice=False)
    level = SelectMultipleField("Level", choices=choices(LEVELS.items()), validate_choice=False)
    experiential = BooleanField("Only courses that include practice (experiential)")
    behaviour = SelectField("Develops this behaviour", validate_choice=False)
    retired = BooleanField("Include retired courses")
    broken = BooleanField("Only courses whose link is broken")


class LibraryFilterForm(_FilterForm):
    section = SelectField("Section", choices=choices([("", "All sections"), *SECTION_TITLES.items()]),
                          validate_choice=False)
    audience = SelectField("Audience", choices=choices([("", "Everyone and every role"), *AUDIENCES.items()]),
                           validate_choice=False)
    retired = BooleanField("Include retired resources")
    broken = BooleanField("Only resources whose link is broken")


class SectionForm(FlaskForm):
    summary = StringField("Summary")
    body = TextAreaField("Text of the page (Markdown)", render_kw={"rows": 24, "spellcheck": "true"})


class CourseForm(FlaskForm):
    title = StringField("Title")
    provider = StringField("Provider")
    format = RadioField("Format", choices=choices(FORMATS.items()), validate_choice=False)
    level = RadioField("Level", choices=choices(LEVELS.items()), validate_choice=False)
    duration_hours = StringField("Typical duration in hours")
    url = StringField("Web address", render_kw={"spellcheck": "false", "autocomplete": "url"})
    experiential = BooleanField("It includes practice with feedback, such as role-play, simulation or observed conversations")
    description = TextAreaField("Description", render_kw={"rows": 5})
    behaviours = SelectMultipleField("Behaviours it develops", coerce=record_id_choice, validate_choice=False)


class ResourceForm(FlaskForm):
    title = StringField("Title")
    publisher = StringField("Publisher")
    section = RadioField("Section", choices=choices(SECTION_TITLES.items()), validate_choice=False)
    audience = RadioField("Who it is for", choices=choices(AUDIENCES.items()), validate_choice=False)
    summary = TextAreaField("Summary", render_kw={"rows": 4})
    url = StringField("Web address", render_kw={"spellcheck": "false", "autocomplete": "url"})


class RetireForm(FlaskForm):
    """Only the CSRF token: retiring and restoring are POSTs."""
