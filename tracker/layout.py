"""What every page's frame needs: navigation for the person's roles, the year, the nonce."""
from __future__ import annotations

import os

from flask import current_app, g, request, send_from_directory, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from tracker import access

# (label, endpoint, permission): an item shows when the person has the permission (None: everyone).
NAVIGATION = (
    ("Home", "home.index", "portfolio"),
    ("My year", "portfolio.my_year", "portfolio"),
    ("Log an activity", "portfolio.log_activity", "portfolio"),
    ("My portfolio", "portfolio.portfolio", "portfolio"),
    ("Team dashboard", "team.dashboard", "team"),
    ("Sign-off queue", "team.queue", "sign_off"),
    ("Organisation report", "reports.organisation", "reports"),
    ("People", "admin.people", "admin"),
    ("Teams", "admin.teams", "admin"),
    ("Import staff", "admin.staff_import", "admin"),
    ("Audit trail", "admin.audit_trail", "admin"),
    ("Hub", "hub.index", None),
)


def navigation_items() -> list[dict]:
    """The menu for this request, built once (pages may ask twice; badges cost a query)."""
    # Kept on the request, not on g: g lives as long as the app context, which can span requests.
    if not hasattr(request, "navigation_items"):
        request.navigation_items = _build_navigation()
    return request.navigation_items


def _build_navigation() -> list[dict]:
    items = []
    badges = current_app.extensions["navigation_badges"]
    for label, endpoint, permission in NAVIGATION:
        if permission is not None and not access.can(current_user, permission):
            continue
        text = label
        if endpoint in badges:
            count = badges[endpoint](current_user)
            text = f"{label} ({count})"
        items.append({"text": text, "href": url_for(endpoint), "current": request.endpoint == endpoint})
    return items


# Stands in for the sign-out form in the kept header (its CSRF token differs from one request to the next).
SIGN_OUT_MARK = Markup("<!-- sign out -->")


def sign_out_button_html() -> Markup:
    """Sign out is a POST with a CSRF token, drawn as the header's account button."""
    return Markup(
        '<form class="nhsuk-header__account-form" method="post" action="{}">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<button class="nhsuk-header__account-button" type="submit">Sign out</button></form>'
    ).format(url_for("auth.sign_out"), generate_csrf())


def init_app(app, badges: dict | None = None) -> None:
    """`badges`: endpoint -> function(person) giving the count shown beside that menu item."""
    app.extensions["navigation_badges"] = dict(badges or {})
    assets_dir = os.path.join(app.root_path, "static", "nhsuk", "assets")

    # The NHS.UK stylesheet asks for its icons at /assets/.
    @app.route("/assets/<path:filename>", endpoint="assets")
    def _assets(filename):
        return send_from_directory(assets_dir, filename, max_age=86400)

    @app.context_processor
    def _frame():
        return {
            "cspNonce": getattr(g, "csp_nonce", None),
            # Signed-out visitors get the items that need no permission (the hub's guidance).
            "navigation_items": navigation_items,
            "sign_out_button_html": sign_out_button_html,
            "sign_out_mark": SIGN_OUT_MARK,
            "service_name": "Communication skills tracker",
            "organisation_name": app.config.get("ORGANISATION_NAME", ""),
        }
