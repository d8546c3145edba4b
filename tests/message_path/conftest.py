"""The message path's suites share one broker stand-in: answer tasks queued as Celery would hold them."""

import queue
import time

import pytest

from agents.engines.base import EngineReply


class EchoEngine:
    def run(self, request):
        time.sleep(0.002)  # long enough for workers to overlap
        return EngineReply(text=f"answer to {request.text}")


@pytest.fixture
def queued(monkeypatch):
    """The answer tasks, as a broker would hold them."""
    tasks = queue.Queue()
    monkeypatch.setattr("conversations.tasks.answer_message.delay", lambda *ids: tasks.put(ids))
    monkeypatch.setattr("conversations.pipeline.answering.get_engine", lambda *args: EchoEngine())
    return tasks
