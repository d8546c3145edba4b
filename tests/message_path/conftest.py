"""What the message path's suites share: broker stand-ins (answer tasks queued as Celery would hold them, or
only noted). Each channel's inbound fixtures are in tests/fixtures."""

import queue
import time

import pytest
from django.db import connection

from agents.engines.base import EngineReply
from tests.pipeline import hold_answer_tasks


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
def poison(postgres_only):
    """`poison(word)`: from then on the database refuses every agent's answer to a message containing `word`, in
    every process, as a bug inside storing would; an answer no agent writes goes through."""

    def refuse_answers_to(word: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                CREATE OR REPLACE FUNCTION test_refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.metadata->>'agent_type' IS NOT NULL AND EXISTS (
                        SELECT 1 FROM conversations_message asked
                        WHERE asked.id = NEW.in_reply_to_id AND asked.text LIKE '%' || TG_ARGV[0] || '%'
                    ) THEN
                        RAISE EXCEPTION 'poisoned: this answer cannot be stored';
                    END IF;
                    RETURN NEW;
                END $$
                """
            )
            cursor.execute("DROP TRIGGER IF EXISTS test_refuse_answer ON conversations_message")
            cursor.execute(
                "CREATE TRIGGER test_refuse_answer BEFORE INSERT ON conversations_message "
                f"FOR EACH ROW EXECUTE FUNCTION test_refuse_answer('{word}')"
            )

    yield refuse_answers_to
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS test_refuse_answer ON conversations_message")
        cursor.execute("DROP FUNCTION IF EXISTS test_refuse_answer()")
