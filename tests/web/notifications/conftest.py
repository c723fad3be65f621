"""A local SMTP server and a Notify stand-in for each test, with the app pointed at them for
the test only."""
from __future__ import annotations

import pytest

from tests.mail_servers import LocalSmtp, NotifyStandIn


@pytest.fixture
def smtp(app, monkeypatch):
    with LocalSmtp() as server:
        for name, value in server.settings().items():
            monkeypatch.setitem(app.config, name, value)
        yield server


@pytest.fixture
def notify(app, monkeypatch):
    with NotifyStandIn() as stand_in:
        monkeypatch.setitem(app.config, "MAIL_PROVIDER", "notify")
        monkeypatch.setitem(app.config, "NOTIFY_API_KEY", stand_in.api_key)
        monkeypatch.setitem(app.config, "NOTIFY_BASE_URL", stand_in.base_url)
        monkeypatch.setitem(app.config, "NOTIFY_TEMPLATES", {
            kind: f"00000000-0000-4000-8000-{index:012d}" for index, kind in enumerate(sorted(app.config["NOTIFY_TEMPLATES"]))})
        yield stand_in
