"""Queues by latency: every Walker task is routed, in CELERY_TASK_ROUTES alone, to the queue its waiting calls for."""

import base64
import json
from pathlib import Path

import pytest
import redis
from celery.app.routes import MapRoute
from django.conf import settings

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

# The intent, task by task: a new task fails test_every_walker_task_goes_to_its_queue until it is routed and
# named here.
INTENDED = {
    "conversations.tasks.answer_message": "answers",
    "conversations.tasks.answer_stragglers": "answers",
    "conversations.tasks.revise_proposal": "answers",
    "conversations.tasks.tell_support": "notifications",
    "channels_app.whatsapp.tasks.deliver_message": "answers",
    "channels_app.whatsapp.tasks.send_reply": "answers",
    "channels_app.email.tasks.send_message": "answers",
    "channels_app.email.tasks.send_answer": "answers",
    "hitl.tasks.execute_approval": "notifications",
    "hitl.tasks.send_notification": "notifications",
    "hitl.tasks.send_decision_callback": "answers",
    "hitl.tasks.process_deadlines": "notifications",
    "hitl.tasks.recover_executions": "notifications",
    "hitl.tasks.requeue_lost_callbacks": "answers",
    "hitl.tasks.read_back_silent_executions": "notifications",
    "hitl.slack.tasks.post_approval": "notifications",
    "hitl.slack.tasks.refresh_message": "notifications",
    "hitl.slack.tasks.tell_privately": "notifications",
    "hitl.slack.tasks.decide_click": "notifications",
    "hitl.slack.tasks.ask_reason": "notifications",
    "channels_app.whatsapp.tasks.send_verification_code": "notifications",
    "alerts.tasks.evaluate_rules": "notifications",
    "alerts.tasks.send_notice": "notifications",
    "briefs.tasks.send_due_briefs": "bulk",
    "briefs.tasks.send_brief_now": "bulk",
    "adplatforms.tasks.sync_due_connections": "bulk",
    "adplatforms.tasks.sync_connection": "bulk",
    "adplatforms.tasks.reconcile_accounts": "bulk",
    "adplatforms.tasks.reconcile_connection": "bulk",
    "adplatforms.tasks.run_due_rules": "bulk",
    "adplatforms.tasks.settle_recommendations": "bulk",
    "analytics.tasks.refresh_conversation_metrics": "bulk",
    "analytics.tasks.aggregate_approvals": "bulk",
    "conversations.tasks.prune_chat_events": "bulk",
    "conversations.tasks.apply_message_retention": "bulk",
    "conversations.tasks.close_quiet_conversations": "bulk",
    "tenants.tasks.clear_expired_sessions": "bulk",
    "tenants.tasks.purge_access_logs": "bulk",
    "tenants.tasks.flush_expired_tokens": "bulk",
    "warehouse.tasks.export_to_warehouses": "bulk",
}


def explicit_queue(name: str) -> str | None:
    """The queue CELERY_TASK_ROUTES names for a task (None: it would fall to the default queue)."""
    route = MapRoute(settings.CELERY_TASK_ROUTES)(name)
    return route["queue"] if route else None


def walker_tasks() -> list[str]:
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker imports them
    # Celery's own tasks, and tasks the tests define for themselves, are not Walker's.
    return sorted(name for name in celery_app.tasks if not name.startswith(("celery.", "tests.")))


def test_three_queues_each_on_its_own_exchange_and_key():
    queues = {queue.name: queue for queue in settings.CELERY_TASK_QUEUES}
    assert list(queues) == ["answers", "notifications", "bulk"]
    # Bound to one key, every queue would receive every task.
    assert {(q.exchange.name, q.routing_key) for q in queues.values()} == {(n, n) for n in queues}
    assert settings.CELERY_TASK_DEFAULT_QUEUE in queues


def test_every_walker_task_goes_to_its_queue():
    tasks = walker_tasks()
    assert tasks, "no task registered: the app's tasks modules were not imported"
    unrouted = [name for name in tasks if explicit_queue(name) is None]
    assert unrouted == [], f"tasks without a route in CELERY_TASK_ROUTES: {unrouted}"
    unnamed = [name for name in tasks if name not in INTENDED]
    assert unnamed == [], f"tasks this test does not know the intended queue of: {unnamed}"
    assert {name: explicit_queue(name) for name in tasks} == {name: INTENDED[name] for name in tasks}
    assert sorted(INTENDED) == tasks, "a task named here is no longer registered"


def test_celery_routes_as_the_table_says():
    """The router Celery itself uses agrees (the table is what tasks are published with)."""
    router = celery_app.amqp.router
    for name in walker_tasks():
        assert router.route({}, name)["queue"].name == INTENDED[name], name


def test_ad_platform_syncs_go_to_bulk_and_anything_unrouted_to_the_default():
    assert explicit_queue("adplatforms.tasks.sync_google_ads") == "bulk"
    assert explicit_queue("adplatforms.tasks.sync_meta_insights") == "bulk"
    assert explicit_queue("adplatforms.services.sync") is None
    assert celery_app.amqp.router.route({}, "somewhere.tasks.new")["queue"].name == "notifications"


def test_every_beat_entry_runs_on_a_queue_by_route():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert explicit_queue(entry["task"]) == INTENDED[entry["task"]]


def test_make_run_and_the_test_workers_consume_every_queue():
    from tests.workers import QUEUES

    assert QUEUES == ["answers", "notifications", "bulk"]
    run_local = (ROOT / "bin" / "run-local").read_text()
    assert "worker -Q answers,notifications,bulk " in run_local


@pytest.mark.parametrize(
    ("task", "args", "queue"),
    [
        ("conversations.tasks.answer_stragglers", [], "answers"),
        ("hitl.tasks.send_decision_callback", ["a-callback-id"], "answers"),
        ("hitl.tasks.process_deadlines", [], "notifications"),
        ("briefs.tasks.send_due_briefs", [], "bulk"),
    ],
)
def test_a_published_task_waits_in_its_queue_alone(broker, task, args, queue):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    celery_app.send_task(task, args)
    waiting = {name: client.lrange(name, 0, -1) for name in ("answers", "notifications", "bulk")}
    [message] = waiting.pop(queue)
    assert json.loads(message)["headers"]["task"] == task
    assert json.loads(base64.b64decode(json.loads(message)["body"]))[0] == args
    assert waiting == {name: [] for name in waiting}
