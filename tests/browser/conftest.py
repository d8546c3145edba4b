"""Browser tests: Debian's Chromium, driven by its own ChromeDriver, against a live daphne server.

The live server (channels' ChannelsLiveServerTestCase) is a forked process, so
it cannot share SQLite's default in-memory test database: when browser tests
are going to run on SQLite, the test database becomes a file for the session.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The browser tests of pages and forms, not of the live path (which test_live_shapes and the production shape drive
# over Redis): CI runs them once, in the embedded shape (tests/shape_free.py).
PAGES_AND_FORMS = pytest.mark.shape_neutral("a browser on pages and forms; the live path over Redis is tested apart")
# The browser tests of pages that update live (the chat widget, the inbox, the console, the member's page): the
# same socket protocol and events on either channel layer; Redis's own is driven by test_live_shapes (both stacks in
# one run) and the production shape.
LIVE_PAGES = pytest.mark.shape_neutral(
    "a browser on live pages; the live path over Redis is driven by test_live_shapes"
)
# Whether the page's console socket (walker-live.js; its URL says how long the page went without the feed) is open.
CONSOLE_OPEN = (
    "return window.__walkerSockets.some(ws => new URL(ws.url).pathname === '/ws/console/' && ws.readyState === 1)"
)

# Selenium Manager must never download a driver or browser, nor report usage.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"

_folders: list[str] = []


def pytest_collection_finish(session):
    """Give SQLite a file test database if any browser test was selected and can run.

    A hook, not a fixture: the test database is created once per session by the
    first test that needs it, which may be any test, so the setting has to be in
    place before the first test runs.
    """
    wanted = CHROMEDRIVER.exists() and any(item.get_closest_marker("browser") for item in session.items)
    database = settings.DATABASES["default"]
    if not wanted or not database["ENGINE"].endswith("sqlite3"):
        return
    test = database.setdefault("TEST", {})
    if not test.get("NAME") or test["NAME"] == ":memory:" or "mode=memory" in str(test["NAME"]):
        folder = tempfile.mkdtemp(prefix="walker-browser-tests-")
        _folders.append(folder)
        test["NAME"] = str(Path(folder) / "test.sqlite3")


def pytest_sessionfinish(session):
    for folder in _folders:  # the database file itself is deleted by Django with the test database
        shutil.rmtree(folder, ignore_errors=True)
