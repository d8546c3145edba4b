"""pytest-httpserver's server, stopped in a hundredth of a second: its thread polls for a shutdown every half second
(socketserver's default), which every test starting a server of its own paid again in its teardown (about 120 s of
each CI shape, over 240 tests)."""

from pytest_httpserver import HTTPServer

POLL_SECONDS = 0.01  # also for the suite's own fakes on http.server (tests/slack, tests/warehouse, tests/faults)


class QuickHTTPServer(HTTPServer):
    def thread_target(self) -> None:  # pytest-httpserver's documented hook for tailoring the server thread
        self.server.serve_forever(poll_interval=POLL_SECONDS)
