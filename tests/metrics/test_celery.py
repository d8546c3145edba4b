"""Celery's signals: each task timed by queue with its final state, the beat schedule's last successes, the queues
Walker routes to."""

import time

import pytest
from celery import shared_task

from config.celery_metrics import _queue
from core.metrics import queue_names
from hitl.tasks import process_deadlines
from tests.metrics.conftest import value

pytestmark = pytest.mark.django_db
LAST = "walker_periodic_task_last_success_timestamp_seconds"


@shared_task(name="tests.metrics.fails")
def fails():
    raise ValueError("no")


def test_a_periodic_task_is_timed_counted_and_stamped(moves):
    before = time.time()
    process_deadlines.delay()
    assert moves("walker_tasks_total", queue="notifications", state="SUCCESS") == 1
    assert moves("walker_task_seconds_count", queue="notifications") == 1
    assert before <= value(LAST, task="hitl.tasks.process_deadlines") <= time.time()


def test_a_failed_task_is_counted_failed_and_stamps_nothing(moves, settings):
    settings.CELERY_BEAT_SCHEDULE = {"x": {"task": "tests.metrics.fails", "schedule": 60.0}}
    assert fails.apply(throw=False).failed()  # as a worker runs it: the error stays in the worker
    assert moves("walker_tasks_total", queue="notifications", state="FAILURE") == 1
    assert value(LAST, task="tests.metrics.fails") == 0


def test_queues_come_from_the_task_routes_and_the_default(settings):
    assert queue_names() == ["answers", "bulk", "notifications"]  # config.settings: CELERY_TASK_ROUTES
    settings.CELERY_TASK_ROUTES = {
        "conversations.tasks.answer_message": {"queue": "answers"},
        "hitl.tasks.*": {"queue": "notifications"},
        "tenants.tasks.purge_access_logs": {"exchange": "x"},
    }
    assert queue_names() == ["answers", "notifications"]  # the default queue is notifications
    settings.CELERY_TASK_ROUTES = [{"briefs.tasks.*": {"queue": "bulk"}}, {"a.b": {"queue": "answers"}}]
    settings.CELERY_TASK_DEFAULT_QUEUE = "default"
    assert queue_names() == ["answers", "bulk", "default"]


class _Request:
    def __init__(self, delivery_info):
        self.delivery_info = delivery_info


class _Task:
    def __init__(self, delivery_info):
        self.request = _Request(delivery_info)


def test_a_task_is_labelled_with_its_queue_or_other(settings):
    settings.CELERY_TASK_ROUTES = {"conversations.tasks.answer_message": {"queue": "answers"}}
    assert _queue(_Task({"routing_key": "answers"})) == "answers"
    assert _queue(_Task({"routing_key": "someone-elses"})) == "other"
    assert _queue(_Task(None)) == "notifications"  # run eagerly: no delivery, so the default queue
