"""What the message path's suites share: broker stand-ins (answer tasks queued as Celery would hold them, or
only noted), a spy on the one-statement stores, and each channel's fixtures for its inbound path."""

import queue
import time

import pytest

from agents.engines.base import EngineReply
from tests.chat.conftest import chat_db, open_tab  # noqa: F401  (each channel's inbound path)
from tests.email.conftest import post_email, sendgrid  # noqa: F401
from tests.pipeline import hold_answer_tasks
from tests.whatsapp.conftest import member_phone, number, signing, twilio  # noqa: F401


class EchoEngine:
    def run(self, request):
        time.sleep(0.002)  # long enough for workers to overlap
        return EngineReply(text=f"answer to {request.text}")


@pytest.fixture
def queued(monkeypatch):
    """The answer tasks, as a broker would hold them."""
    tasks = queue.Queue()
    hold_answer_tasks(monkeypatch, tasks.put)
    monkeypatch.setattr("conversations.pipeline.answering.get_engine", lambda *args: EchoEngine())
    return tasks


@pytest.fixture
def published(monkeypatch):
    """The answer tasks published, noted and not run."""
    tasks = []
    hold_answer_tasks(monkeypatch, tasks.append)
    return tasks


@pytest.fixture
def returns_of(monkeypatch):
    """`returns_of(owner, name)`: what `owner.name` returns, call by call, from then on (it still runs)."""

    def spy_on(owner, name: str) -> list:
        calls, real = [], getattr(owner, name)

        def spy(*args, **kwargs):
            calls.append(result := real(*args, **kwargs))
            return result

        monkeypatch.setattr(owner, name, spy)
        return calls

    return spy_on
