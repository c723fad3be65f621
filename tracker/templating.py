"""Jinja set-up for every page: where templates are found, and the globals and filters shared by
more than one area. Registered once by create_app, never as a side effect of importing a module."""
from __future__ import annotations

import os
from datetime import date, datetime

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from tracker import durations, kept_macros
from tracker.date_input import date_example
from tracker.plurals import noun, plural


MONTH_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(day: date | datetime | None) -> str:
    """27 March 2026 (no leading zero)."""
    if day is None:
        return ""
    return f"{day.day} {day:%B %Y}"


def init_app(app: Flask) -> None:
    # The NHS.UK Jinja components read unset nested parameters, hence ChainableUndefined.
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "autoescape": True}
    # Our templates first, then the NHS.UK components' package. Only the app's own loader is
    # replaced: Flask's dispatching loader still finds blueprint template folders after it.
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(os.path.join(app.root_path, "..", "templates")),
        PackageLoader("nhsuk_frontend_jinja"),
    ])
    app.jinja_env.filters.update(hours_text=durations.hours_text, duration_text=durations.duration_text,
                                 number_text=durations.number_text, long_date=long_date, plural=plural, noun=noun)
    from tracker.pages.routes import footer_links  # the footer of every page

    app.jinja_env.globals.update(long_date=long_date, hours_text=durations.hours_text,
                                 duration_text=durations.duration_text, service_page_links=footer_links,
                                 plural=plural, noun=noun, date_example=date_example,
                                 kept=kept_macros.kept, kept_unit_select=kept_macros.kept_unit_select)
    app.jinja_env.filters["month_short"] = lambda day: MONTH_SHORT[day.month - 1]
