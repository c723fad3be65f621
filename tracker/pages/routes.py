"""The pages every NHS service has, linked from every page's footer and open to everyone:
accessibility statement, privacy notice, cookies, help and contact. Their text is kept and edited
by education leads like the hub's sections (tracker/hub/sections.py)."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from tracker import access
from tracker.hub.markdown import render_markdown
from tracker.hub.sections import SERVICE_PAGE_TITLES, find_section

bp = Blueprint("pages", __name__)

# Address -> the page's key among the editable texts.
PAGE_OF_PATH = {"accessibility-statement": "accessibility", "privacy": "privacy", "cookies": "cookies",
                "help": "help"}
PATH_OF_PAGE = {slug: path for path, slug in PAGE_OF_PATH.items()}


@bp.route("/<any('accessibility-statement', privacy, cookies, help):path>")
def page(path: str):
    shown = find_section(PAGE_OF_PATH[path])
    return render_template("pages/page.html", page=shown, body=render_markdown(shown.body_markdown),
                           may_edit=access.can(current_user, "catalogue.edit"))


def footer_links() -> list[dict]:
    """The footer's links (for base.html), in the order NHS services usually give them."""
    return [{"href": url_for("pages.page", path=path), "text": SERVICE_PAGE_TITLES[slug]}
            for path, slug in PAGE_OF_PATH.items()]
