"""The engines' fake servers: one of each test's own. Tests of a timeout leave the fake answering after the test
has ended, and pytest-httpserver logs a request when its answer is sent: on the run's one shared server that late
request was logged in whichever test came next (seen when pytest-xdist ordered a drafting timeout before a test
that reads the first logged request)."""

import pytest

from tests.quick_httpserver import QuickHTTPServer


@pytest.fixture
def httpserver():
    server = QuickHTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()  # after the answer under way, if any, is sent
