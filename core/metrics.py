"""Walker's own Prometheus metrics, each defined once here (docs/metrics.md says what each means).

Labels are bounded vocabularies only: channel, engine, queue, consumer, risk level, action type, webhook and
reason names. Never a tenant, person, conversation or message id, nor anything a person wrote.

Every Walker process writes these to the files of prometheus-client's multiprocess mode when
PROMETHEUS_MULTIPROC_DIR is set (daphne processes and prefork Celery children alike), and the exposition
(`config.metrics`) adds them up; without it they live in this process's default registry.
"""

import os
import time

from django.conf import settings
from django.db import transaction
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

# Seconds from a message being accepted to its answer being stored: chat turns take seconds, a queue minutes.
ANSWER_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300, 600)
ENGINE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)

MESSAGES_RECEIVED = Counter(
    "walker_messages_received", "Inbound messages stored (retried deliveries left out).", ["channel"]
)
MESSAGES_SENT = Counter(
    "walker_messages_sent", "Outbound messages stored on a conversation (agent, person or system).", ["channel"]
)
ANSWER_SECONDS = Histogram(
    "walker_answer_seconds",
    "From a message being accepted to the agent's answer being stored.",
    ["channel"],
    buckets=ANSWER_BUCKETS,
)
ENGINE_SECONDS = Histogram(
    "walker_engine_seconds", "One engine run (errors included).", ["engine"], buckets=ENGINE_BUCKETS
)
ENGINE_ERRORS = Counter("walker_engine_errors", "Engine runs that raised.", ["engine"])
TASK_SECONDS = Histogram(
    "walker_task_seconds",
    "A Celery task's run in a worker, by the queue it came from.",
    ["queue"],
    buckets=TASK_BUCKETS,
)
TASKS = Counter("walker_tasks", "Celery tasks run, by queue and final state.", ["queue", "state"])
BROKER_MESSAGES_SET_ASIDE = Counter(
    "walker_broker_messages_set_aside",
    "Message files of the embedded (filesystem) broker that could not be decoded: set aside, not run.",
    ["queue"],
)
PERIODIC_TASK_LAST_SUCCESS = Gauge(
    "walker_periodic_task_last_success_timestamp_seconds",
    "When a task of the beat schedule last succeeded (Unix time): a beat or its workers gone silent stops it.",
    ["task"],
    multiprocess_mode="max",
)
WORKER_PROCESSES = Gauge(
    "walker_worker_processes", "Celery worker processes alive (pool children).", [], multiprocess_mode="livesum"
)
WEBSOCKETS_OPEN = Gauge(
    "walker_websockets_open", "WebSockets open now, by consumer.", ["consumer"], multiprocess_mode="livesum"
)
SLA_BREACHES = Counter("walker_sla_breaches", "Approvals that passed their SLA deadline undecided.", ["risk_level"])
EXECUTIONS_FAILED = Counter(
    "walker_executions_failed",
    "Approved actions whose execution failed (refused, out of retries, abandoned).",
    ["action_type"],
)
WEBHOOK_SIGNATURE_FAILURES = Counter(
    "walker_webhook_signature_failures",
    "Provider webhooks refused because their signature or credentials did not check out.",
    ["webhook", "reason"],
)
EMAIL_EVENTS = Counter(
    "walker_email_events",
    "SendGrid delivery events about Walker's emails (processed, delivered, bounce, dropped, ...), as received.",
    ["event"],
)
WHATSAPP_SEND_FAILURES = Counter(
    "walker_whatsapp_send_failures",
    "WhatsApp sends that failed: refused by Twilio, blocked by WhatsApp's rules, out of retries, or reported failed.",
    ["stage"],
)


def inc_on_commit(counter, **labels) -> None:
    """Count once the current transaction commits (at once outside one): a rolled-back change counts nothing."""
    child = counter.labels(**labels) if labels else counter
    transaction.on_commit(child.inc)


def observe_on_commit(histogram, seconds: float, **labels) -> None:
    transaction.on_commit(lambda: histogram.labels(**labels).observe(seconds))


class timed:
    """`with timed(ENGINE_SECONDS, ENGINE_ERRORS, engine="builtin"):` observes the block's duration and, when it
    raises, counts the error."""

    def __init__(self, histogram, errors=None, **labels):
        self.histogram, self.errors, self.labels = histogram, errors, labels

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, kind, value, traceback):
        self.histogram.labels(**self.labels).observe(time.perf_counter() - self.started)
        if kind is not None and self.errors is not None:
            self.errors.labels(**self.labels).inc()
        return False


def process_registry() -> CollectorRegistry:
    """Every process's metrics: the multiprocess files when PROMETHEUS_MULTIPROC_DIR is set, else this process's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def queue_names() -> list[str]:
    """The Celery queues Walker routes tasks to (CELERY_TASK_ROUTES), and the default one."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    for route in routes.values() if isinstance(routes, dict) else routes:
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
        elif isinstance(route, dict):  # a list of {pattern: {"queue": ...}} maps
            names.update(r["queue"] for r in route.values() if isinstance(r, dict) and r.get("queue"))
    return sorted(names)
