"""Readers missing the same entry together, each in its own thread and database connection (PostgreSQL, Redis):
one computes the report, the others wait for its entry, so the database answers one report read."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reports import cache as report_cache
from reports import dashboard, queries
from tests.analytics.conftest import approval, utc
from tests.analytics.test_api import metrics
from tests.concurrency import at_once

READERS = 20
SLOW = 0.3  # seconds a report takes here: every other reader asks while it is computed


@pytest.fixture(autouse=True)
def cache_on(settings, monkeypatch):
    settings.REPORT_CACHE_SECONDS = 300
    # Twenty readers on two busy cores may wait past the ten seconds a reader gives another's entry before
    # computing its own: what is counted here is that they wait for one read, not how long.
    monkeypatch.setattr(report_cache, "WAIT_SECONDS", 60)


class Counted:
    """Wraps a report function: how many times it ran and how many statements it sent, in any thread."""

    def __init__(self, real):
        self.real, self.runs, self.statements, self.lock = real, 0, 0, threading.Lock()

    def __call__(self, *args, **kwargs):
        with CaptureQueriesContext(connection) as sent:
            result = self.real(*args, **kwargs)
        time.sleep(SLOW)
        with self.lock:
            self.runs += 1
            self.statements += len(sent)
        return result


@pytest.fixture
def rows(postgres_only, tenant):
    for n in range(5):
        metrics(tenant, utc(2025, 3, 10 + n, 9), first_ms=1000 * n, channel=("chat", "email")[n % 2])
        approval(tenant, requested_at=utc(2025, 3, 10 + n, 9))


def api_reader(user):
    client = APIClient()
    client.force_authenticate(user)
    return lambda: client.get("/api/analytics/conversations/", {"start": "2025-03-01", "end": "2025-03-31"}).json()


def test_concurrent_api_readers_cost_one_report_read(rows, tenant_admin, monkeypatch, settings):
    report = Counted(queries.conversation_report)
    monkeypatch.setattr(queries, "conversation_report", report)
    settings.REPORT_CACHE_SECONDS = 0
    alone = api_reader(tenant_admin)()
    one_read = report.statements
    settings.REPORT_CACHE_SECONDS = 300
    report.runs = report.statements = 0

    answers = at_once(*(api_reader(tenant_admin) for _ in range(READERS)))

    assert (report.runs, report.statements) == (1, one_read) and one_read >= 2
    assert all(answer == alone for answer in answers) and alone["totals"]["conversations"] == 5


@pytest.mark.slow
def test_concurrent_dashboards_cost_one_read_of_their_figures(rows, tenant_admin, monkeypatch):
    approval, activity = Counted(dashboard.approval_figures), Counted(dashboard.activity_figures)
    monkeypatch.setattr(dashboard, "approval_figures", approval)
    monkeypatch.setattr(dashboard, "activity_figures", activity)
    clients = []
    for _ in range(READERS):
        clients.append(Client())
        clients[-1].force_login(tenant_admin)

    def reader(client):
        span = {"start": "2025-03-01", "end": "2025-03-14"}
        return lambda: client.get("/admin/dashboard/", span).context["dashboard"]

    pages = at_once(*(reader(client) for client in clients))

    assert (approval.runs, activity.runs) == (1, 1) and approval.statements + activity.statements >= 5
    assert {page["risk_total"] for page in pages} == {5} and {page["conversations_total"] for page in pages} == {0}


def test_a_reader_that_gets_the_lock_after_the_holder_stored_takes_the_stored_entry(monkeypatch):
    """The race behind a second read: a reader looks (nothing yet), the holder stores its entry and frees the lock,
    then the reader takes the free lock. It must take the stored entry, not compute again."""
    real_get, looks = report_cache.cache.get, []

    def get(key, default=None):
        looks.append(key)
        if len(looks) == 1:
            report_cache.cache.set(key, {"figures": "the holder's"})  # stored just after this look
            return default
        return real_get(key, default)

    monkeypatch.setattr(report_cache.cache, "get", get)
    computed = []
    found = report_cache._fetch("reports:test-race", lambda: computed.append(1) or {"figures": "again"})
    assert found == {"figures": "the holder's"} and computed == []
