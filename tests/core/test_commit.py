"""core.commit.after_commit: a Celery task queued once the transaction commits, and only then; and every place
that queues a task names it (an import), not a string looked up in Celery's registry."""

import logging
import re
from pathlib import Path

import pytest
from django.db import transaction

from core.commit import after_commit

ROOT = Path(__file__).resolve().parents[2]
APPS = ["agents", "analytics", "briefs", "channels_app", "config", "conversations", "core", "hitl", "tenants"]
LOOKUP_BY_STRING = re.compile(r"current_app\.tasks\[|send_task\(|\bsignature\(\s*[\"']")
# Lookups that stand in for an import the module cannot make: the task's own module imports it back (the report
# of issue 32, point 8, says why for each).
CYCLES = {
    "conversations/pipeline/intake.py",  # conversations.tasks -> conversations.pipeline -> intake
    "hitl/services/execution.py",  # hitl.tasks -> hitl.services.execution
    "hitl/notifying/rows.py",  # hitl.tasks -> hitl.notifying.senders -> hitl.notifying.rows
    "hitl/callbacks.py",  # hitl.tasks -> hitl.callbacks (the task delivers what the module queues)
    "conversations/person_asked.py",  # conversations.tasks -> conversations.pipeline -> intake -> person_asked
    "conversations/support_notices.py",  # conversations.tasks -> conversations.support_notices (the task sends them)
}


class FakeTask:
    def __init__(self, fails=False):
        self.queued = []
        self.fails = fails

    def delay(self, *args, **kwargs):
        self.apply_async(args, kwargs)

    def apply_async(self, args, kwargs, task_id=None):
        if self.fails:
            raise ConnectionError("broker down")
        self.queued.append((args, kwargs, task_id) if task_id else (args, kwargs))


def test_the_task_is_queued_with_its_arguments_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        after_commit(task, "a1", reason="why")
        assert task.queued == []
    assert task.queued == [(("a1",), {"reason": "why"})]


def test_nothing_is_queued_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    task = FakeTask()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        after_commit(task, "a1")
        raise RuntimeError
    assert callbacks == [] and task.queued == []


def test_robust_logs_a_broker_failure_and_carries_on(db, django_capture_on_commit_callbacks, caplog):
    broken, fine = FakeTask(fails=True), FakeTask()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        after_commit(broken, "a1", robust=True)
        after_commit(fine, "a2")
    assert fine.queued == [(("a2",), {})]
    assert "broker down" in caplog.text


def test_a_task_run_under_a_given_id_and_undone_if_the_broker_refuses_it(db, django_capture_on_commit_callbacks):
    taken, broken, undone = FakeTask(), FakeTask(fails=True), []
    with django_capture_on_commit_callbacks(execute=True):
        after_commit(taken, "a1", task_id="t-1", refused=lambda: undone.append("t-1"))
        after_commit(broken, "a2", robust=True, task_id="t-2", refused=lambda: undone.append("t-2"))
    assert taken.queued == [(("a1",), {}, "t-1")]
    assert undone == ["t-2"]  # only the refused one's


def test_tasks_are_queued_by_name_not_looked_up_by_string():
    found = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and LOOKUP_BY_STRING.search(path.read_text())
    }
    assert found <= CYCLES, f"queue these tasks by importing them: {sorted(found - CYCLES)}"


def test_on_commit_queues_no_task_by_hand():
    """Every task queued on commit goes through after_commit (on_commit stays for what is not a task)."""
    queued_by_hand = re.compile(r"on_commit\([^\n]*\.(delay|apply_async)\(")
    found = sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if queued_by_hand.search(path.read_text())
    )
    assert found == []
