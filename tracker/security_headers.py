"""The headers every response carries beyond the content security policy (set in create_app):
HSTS in production, no caching of any page a signed-in person sees (each holds personal data),
a Permissions-Policy that turns off the device features the service never uses, and the proxy
fix that lets a TLS-terminating proxy tell the app the client's scheme, host and address."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")
# Files that are the same for everyone; everything else is a page or a download.
SHARED_FILES = frozenset({"static", "assets"})


def init_app(app) -> None:
    hops = app.config.get("PROXY_FIX_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    @app.after_request
    def _headers(response):
        seconds = app.config.get("HSTS_SECONDS", 0)
        if seconds:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.endpoint not in SHARED_FILES and current_user.is_authenticated \
                and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"  # a download's own "private, no-store" stays
        return response
