"""Log output as production writes it (JSON, every logger, DEBUG and up), captured for a test to read and grep."""

import io
import json
import logging

import pytest
import structlog

from config import logs


class CapturedLogs:
    def __init__(self, stream: io.StringIO):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict]:
        """Each line parsed: a line that is not one JSON object fails the test."""
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def json_logs():
    """Every record from here on, through Walker's JSON formatter at DEBUG; the log context starts empty."""
    structlog.contextvars.clear_contextvars()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield CapturedLogs(stream)
    root.setLevel(level)
    root.removeHandler(handler)
    structlog.contextvars.clear_contextvars()
