"""Browser tests: the real app served on 127.0.0.1, driven through Debian's Chromium by Playwright.

They run against their own database loaded with the demo organisation: a SQLite file, or
a fresh `browser_…` database beside TEST_DATABASE_URL's on PostgreSQL. Outside CI they skip when Chromium is missing;
in CI (CI=true) a missing Chromium is a failure.
"""
from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.support import DESKTOP, PHONE, ConsoleWatch
from tests.support import app_on_scratch_database
from tracker.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The live server runs on this day whatever the calendar says, so CI gives the same answer on
# any date: mid-year, so the current year has data and last year is closed.
BROWSER_TODAY = date(2026, 11, 30)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        return  # let them run and fail loudly: CI must have Chromium
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (install the Debian chromium package)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="package")
def browser_today(frozen_clock):
    """The day the live server judges everything by, set on the suite's one clock for the browser
    tests only (package scope: the clock is given back before the other tests run)."""
    saved = frozen_clock.frozen_on, frozen_clock.day
    frozen_clock.frozen_on = frozen_clock.day = BROWSER_TODAY
    try:
        yield BROWSER_TODAY
    finally:
        frozen_clock.frozen_on, frozen_clock.day = saved


@pytest.fixture(scope="package")
def live_app(tmp_path_factory, browser_today):
    """The app behind the live server, with the demo organisation loaded as of BROWSER_TODAY."""
    from tracker.demo import load_demo

    with app_on_scratch_database("browser", tmp_path_factory.mktemp("browser") / "browser.db",
                                 UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads"))) as app:
        with app.app_context():
            load_demo(staff=160, years=2, seed=2026, today=browser_today)
            db.session.commit()
        yield app


@pytest.fixture(scope="package")
def live_server(live_app):
    """Base URL of the tracker serving the demo organisation in a background thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=["desktop", "phone"])
def viewport(request):
    if request.param == "phone" and "postgresql" in os.environ.get("TEST_DATABASE_URL", ""):
        # The database is the same at either width: the desktop run covers it, the phone run the layout.
        pytest.skip("a journey's phone layout does not depend on the database: it runs in the SQLite pass")
    return request.param, DESKTOP if request.param == "desktop" else PHONE


@pytest.fixture
def console():
    """Filled by watched_page; a test whose page must show an error status says which."""
    return {}


def watched_page(context, console: dict):
    """A new page of `context` whose console errors and failed requests fail the test."""
    page = context.new_page()
    page.set_default_timeout(15000)
    console.setdefault("watches", []).append(ConsoleWatch(page))
    return page


@pytest.fixture
def page(browser, live_server, console):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server)
    yield watched_page(context, console)
    context.close()


@pytest.fixture(autouse=True)
def no_console_errors(console):
    """Every browser test fails on a console error, a script error or a failed request."""
    yield
    for watch in console.get("watches", []):
        watch.assert_clean("console")
