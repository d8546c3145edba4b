"""The analytics API's and the dashboard's figures through the shared cache (reports/cache.py): hits, refreshes when
the aggregation jobs write or an approval changes, tenant isolation, no personal data kept, the cache down."""

import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.events import record
from analytics.models import EventType
from hitl.history import Event, log
from reports import cache as report_cache
from reports import dashboard as report_dashboard
from reports import queries
from reports.cache import ACTIVITY_ROWS, APPROVAL_ROWS, figures_changed
from reports.tasks import aggregate_approvals, refresh_conversation_metrics
from tests.analytics.conftest import approval, conversation, decision, utc
from tests.analytics.test_api import metrics

MIN = timedelta(minutes=1)
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(utc(2025, 3, 25, 12), tick=False)


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.REPORT_CACHE_SECONDS = 300  # as with Redis (the test run has it: REDIS_URL)


def get(client, path, **params):
    response = client.get(f"/api/analytics/{path}/", {**MARCH, **params})
    assert response.status_code == 200, response.content
    return response.json()


def report_queries(captured, table="analytics_conversationmetrics") -> list[str]:
    return [q["sql"] for q in captured.captured_queries if table in q["sql"]]


def test_a_second_reader_of_the_same_report_costs_no_report_query(api_as, tenant_admin, tenant, compliance):
    metrics(tenant, utc(2025, 3, 21, 9), first_ms=1000)
    with CaptureQueriesContext(connection) as miss:
        first = get(api_as(tenant_admin), "conversations", group_by="channel")
    with CaptureQueriesContext(connection) as hit:
        again = get(api_as(compliance), "conversations", group_by="channel")

    assert report_queries(miss) and not report_queries(hit)
    assert again == first and first["totals"]["conversations"] == 1


def test_other_parameters_are_other_entries(api_as, tenant_admin, tenant):
    metrics(tenant, utc(2025, 3, 21, 9), channel="chat")
    metrics(tenant, utc(2025, 3, 22, 9), channel="email")
    client = api_as(tenant_admin)
    by_channel = get(client, "conversations", group_by="channel")

    assert [g["key"] for g in get(client, "conversations", group_by="day")["groups"]] == ["2025-03-21", "2025-03-22"]
    assert get(client, "conversations", group_by="channel", channel="email")["totals"]["conversations"] == 1
    assert get(client, "conversations", start="2025-03-22", end="2025-03-31")["totals"]["conversations"] == 1
    assert get(client, "conversations", group_by="channel") == by_channel


@pytest.mark.parametrize("group_by", ["day", "week", "channel", "agent"])
def test_the_api_answers_the_figures_the_reports_compute(api_as, tenant_admin, tenant, approver, group_by):
    for n in range(5):
        metrics(tenant, utc(2025, 3, 10 + n, 9), first_ms=1000 * n, agents=("paid_ads", "seo")[: n % 2 + 1])
        row = approval(tenant, requested_at=utc(2025, 3, 10 + n, 9), status="approved", took=MIN * (n + 1))
        decision(row, approver)
    client = api_as(tenant_admin)
    span = queries.range_for(tenant_admin, utc(2025, 3, 1).date(), utc(2025, 3, 31).date())

    for _ in ("miss", "hit"):
        assert get(client, "conversations", group_by=group_by) == queries.conversation_report(
            tenant_admin, span, group_by
        )
        assert get(client, "hitl", group_by=group_by) == queries.approval_report(tenant_admin, span, group_by)


def test_a_report_is_refreshed_when_the_conversation_job_writes(api_as, tenant_admin, colleague, tenant):
    def started(at):
        conv = conversation(colleague, started_at=at)
        record(EventType.CONVERSATION_OPENED, tenant=tenant, conversation_id=conv.pk)

    started(utc(2025, 3, 21, 9))
    refresh_conversation_metrics.delay()
    client = api_as(tenant_admin)
    assert get(client, "conversations")["totals"]["conversations"] == 1

    started(utc(2025, 3, 22, 9))
    assert get(client, "conversations")["totals"]["conversations"] == 1  # the job has not run: nothing new to read
    refresh_conversation_metrics.delay()
    assert get(client, "conversations")["totals"]["conversations"] == 2


def test_a_report_is_refreshed_when_the_approval_job_writes(api_as, tenant_admin, tenant):
    approval(tenant, requested_at=utc(2025, 3, 21, 9), status="approved", took=10 * MIN)
    client = api_as(tenant_admin)
    assert get(client, "hitl")["totals"]["approved"] == 1
    # A row changed with no history row (an import, a data migration): only the job's write tells the cache.
    approval(tenant, requested_at=utc(2025, 3, 22, 9), status="approved", took=10 * MIN)
    assert get(client, "hitl")["totals"]["approved"] == 1
    aggregate_approvals.delay()
    assert get(client, "hitl")["totals"]["approved"] == 2


def test_a_job_run_that_wrote_nothing_keeps_the_entries(api_as, tenant_admin, tenant):
    metrics(tenant, utc(2025, 3, 21, 9))
    client = api_as(tenant_admin)
    get(client, "conversations")
    refresh_conversation_metrics.delay()  # no events since its watermark: nothing recomputed
    with CaptureQueriesContext(connection) as after:
        get(client, "conversations")
    assert not report_queries(after)


def test_an_approval_change_refreshes_the_dashboard_once_committed(
    console_as, tenant, tenant_admin, django_capture_on_commit_callbacks
):
    """The consoles re-fetch the dashboard when they hear of an approval event, read from the approval history: the
    row that tells them is the one that refreshes the figures."""
    client = console_as(tenant_admin)
    assert client.get("/admin/dashboard/").context["dashboard"]["kpis"][0].value == 0
    row = approval(tenant, requested_at=utc(2025, 3, 25, 11))
    assert client.get("/admin/dashboard/").context["dashboard"]["kpis"][0].value == 0  # not announced: the entry stands

    with django_capture_on_commit_callbacks(execute=True):
        log(row, Event.CREATED, "Requested")
    assert client.get("/admin/dashboard/").context["dashboard"]["kpis"][0].value == 1


def test_a_change_is_not_announced_before_it_commits(tenant, django_capture_on_commit_callbacks):
    """A reader between the write and the commit would cache the rows as they were, under the new generation."""
    before = report_cache._generation(str(tenant.pk), APPROVAL_ROWS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log(approval(tenant, requested_at=utc(2025, 3, 25, 11)), Event.CREATED, "Requested")
    assert report_cache._generation(str(tenant.pk), APPROVAL_ROWS) == before
    for callback in callbacks:
        callback()
    assert report_cache._generation(str(tenant.pk), APPROVAL_ROWS) != before


def test_an_approval_change_leaves_the_conversation_figures_cached(
    api_as, console_as, tenant, tenant_admin, colleague, django_capture_on_commit_callbacks
):
    """A big tenant decides several approvals a minute: each one read the dashboard's fortnight of agent replies and
    the conversation report again. They follow the conversations' rows, refreshed by the metrics job."""
    metrics(tenant, utc(2025, 3, 21, 9))
    conversation(colleague, started_at=utc(2025, 3, 24, 9))
    page, api = console_as(tenant_admin), api_as(tenant_admin)
    page.get("/admin/dashboard/")
    get(api, "conversations")
    with django_capture_on_commit_callbacks(execute=True):
        log(approval(tenant, requested_at=utc(2025, 3, 25, 11)), Event.CREATED, "Requested")

    with CaptureQueriesContext(connection) as after:
        dashboard = page.get("/admin/dashboard/").context["dashboard"]
        conversations = get(api, "conversations")

    assert dashboard["kpis"][0].value == 1 and report_queries(after, "hitl_hitlapproval")  # the approvals: read again
    assert dashboard["conversations_total"] == 1 and conversations["totals"]["conversations"] == 1
    assert not report_queries(after, "conversations_message") and not report_queries(
        after, "conversations_conversation"
    )
    assert not report_queries(after)  # nor the conversation metrics


def test_a_job_that_wrote_refreshes_the_approval_and_the_conversation_figures(
    console_as, tenant, tenant_admin, colleague
):
    page = console_as(tenant_admin)
    assert page.get("/admin/dashboard/").context["dashboard"]["conversations_total"] == 0
    approval(tenant, requested_at=utc(2025, 3, 25, 11))
    conversation(colleague, started_at=utc(2025, 3, 24, 9))
    figures_changed(tenant.pk)  # as reports.tasks does after writing

    dashboard = page.get("/admin/dashboard/").context["dashboard"]

    assert (dashboard["kpis"][0].value, dashboard["conversations_total"]) == (1, 1)


def test_tenant_b_never_reads_tenant_as_figures(api_as, console_as, tenant, other_tenant, tenant_admin, outsider):
    for n in range(3):
        metrics(tenant, utc(2025, 3, 21, 9 + n), first_ms=1000)
        approval(tenant, requested_at=utc(2025, 3, 25, 9 + n))
    metrics(other_tenant, utc(2025, 3, 21, 9), first_ms=5)
    a_api, a_page = get(api_as(tenant_admin), "conversations"), console_as(tenant_admin).get("/admin/dashboard/")

    b_api = get(api_as(outsider), "conversations")
    b_page = console_as(outsider).get("/admin/dashboard/")

    assert (a_api["totals"]["conversations"], b_api["totals"]["conversations"]) == (3, 1)
    assert b_api["totals"]["first_response_ms"]["mean"] == 5.0
    assert a_page.context["dashboard"]["kpis"][0].value == 3 and b_page.context["dashboard"]["kpis"][0].value == 0
    assert get(api_as(tenant_admin), "conversations") == a_api


def test_a_superuser_reads_every_tenant_apart_from_each_tenants_entries(
    api_as, tenant, other_tenant, tenant_admin, superuser
):
    metrics(tenant, utc(2025, 3, 21, 9))
    metrics(other_tenant, utc(2025, 3, 21, 9))
    assert get(api_as(tenant_admin), "conversations")["totals"]["conversations"] == 1
    assert get(api_as(superuser), "conversations")["totals"]["conversations"] == 2
    metrics(other_tenant, utc(2025, 3, 22, 9))
    figures_changed(other_tenant.pk)  # another tenant's change refreshes the superusers' figures too
    assert get(api_as(superuser), "conversations")["totals"]["conversations"] == 3
    assert get(api_as(tenant_admin), "conversations")["totals"]["conversations"] == 1


@pytest.fixture
def written(monkeypatch) -> list[str]:
    """The keys the report cache writes, on any cache backend (listing a cache's keys is django-redis' own)."""
    keys = []
    monkeypatch.setattr(report_cache, "cache", _Recording(cache, keys))
    return keys


class _Recording:
    """The cache, noting the key of every entry stored in it."""

    def __init__(self, real, keys):
        self.real, self.keys = real, keys

    def set(self, key, *args, **kwargs):
        self.keys.append(key)
        return self.real.set(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_no_address_is_kept_and_each_viewer_sees_their_own_in_full(api_as, tenant, approver, compliance, written):
    row = approval(tenant, requested_at=utc(2025, 3, 21, 9), status="approved", took=MIN)
    decision(row, approver)
    assert get(api_as(compliance), "hitl")["totals"]["top_approvers"][0]["email"] == "a•••@acme.test"

    kept = [cache.get(key) for key in written]
    assert kept and "@" not in repr(kept)
    with CaptureQueriesContext(connection) as hit:
        own = get(api_as(approver), "hitl")["totals"]["top_approvers"]
    assert not report_queries(hit, "hitl_hitlapproval")
    assert own == [
        {"approver_id": str(approver.pk), "email": "approver@acme.test", "decisions": 1, "approved": 1, "rejected": 0}
    ]


def test_a_lost_generation_never_brings_back_older_entries(api_as, tenant_admin, tenant):
    metrics(tenant, utc(2025, 3, 21, 9))
    client = api_as(tenant_admin)
    get(client, "conversations")
    metrics(tenant, utc(2025, 3, 22, 9))
    cache.delete(report_cache._generation_key(str(tenant.pk), ACTIVITY_ROWS))  # evicted
    assert get(client, "conversations")["totals"]["conversations"] == 2


def test_a_reader_does_not_wait_forever_on_a_lock_its_holder_never_frees(api_as, tenant_admin, tenant, monkeypatch):
    monkeypatch.setattr(report_cache, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(report_cache, "cache", _LockedEverywhere(cache))
    metrics(tenant, utc(2025, 3, 21, 9))
    assert get(api_as(tenant_admin), "conversations")["totals"]["conversations"] == 1


class _LockedEverywhere:
    """The cache, with every lock already held by a reader that died."""

    def __init__(self, real):
        self.real = real

    def add(self, key, *args, **kwargs):
        return False if key.endswith(":lock") else self.real.add(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_without_the_cache_every_reader_reads_the_database(api_as, console_as, tenant_admin, tenant, settings, caplog):
    metrics(tenant, utc(2025, 3, 21, 9))
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING, logger="reports.cache"):
        assert get(api_as(tenant_admin), "conversations")["totals"]["conversations"] == 1
        assert console_as(tenant_admin).get("/admin/dashboard/").status_code == 200
    assert "the cache did not answer" in caplog.text


def test_off_it_reads_the_database_every_time(api_as, tenant_admin, tenant, settings, written):
    settings.REPORT_CACHE_SECONDS = 0
    metrics(tenant, utc(2025, 3, 21, 9))
    client = api_as(tenant_admin)
    get(client, "conversations")
    with CaptureQueriesContext(connection) as again:
        get(client, "conversations")
    assert report_queries(again) and not written


def test_a_write_during_a_computation_is_read_by_the_next_reader(tenant_admin, tenant):
    """A reader computing from the rows as they were when a job wrote and announced: its entry is stored under the
    generation it started with, which no one reads any more."""
    metrics(tenant, utc(2025, 3, 21, 9))
    span = queries.range_for(tenant_admin, utc(2025, 3, 1).date(), utc(2025, 3, 31).date())
    asked = {"start": "2025-03-01", "end": "2025-03-31"}

    def computed_while_a_job_writes():
        figures = queries.conversation_report(tenant_admin, span, "day")
        metrics(tenant, utc(2025, 3, 22, 9))
        figures_changed(tenant.pk)
        return figures

    def computed():
        return queries.conversation_report(tenant_admin, span, "day")

    def read(compute):
        return report_cache.cached(tenant_admin, "t", asked, compute, reads=ACTIVITY_ROWS)["totals"]["conversations"]

    assert read(computed_while_a_job_writes) == 1
    assert read(computed) == 2


def opened_conversation(tenant, colleague, at):
    record(EventType.CONVERSATION_OPENED, tenant=tenant, conversation_id=conversation(colleague, started_at=at).pk)


def test_the_metrics_job_has_the_dashboards_figures_ready_before_anyone_opens_it(
    console_as, tenant, tenant_admin, colleague
):
    """At a big tenant its first viewer after each run read a fortnight of agent replies (bench/RESULTS.md)."""
    page = console_as(tenant_admin)
    assert page.get("/admin/dashboard/").context["dashboard"]["conversations_total"] == 0
    opened_conversation(tenant, colleague, utc(2025, 3, 24, 9))
    assert refresh_conversation_metrics.delay().get()[str(tenant.pk)]

    with CaptureQueriesContext(connection) as opened:
        dashboard = page.get("/admin/dashboard/").context["dashboard"]

    assert dashboard["conversations_total"] == 1
    assert not report_queries(opened, "conversations_message") and not report_queries(
        opened, "conversations_conversation"
    )
    assert not report_queries(opened, '"requested_today"') and not report_queries(opened, '"median"')  # the
    # approval cards and the week's median decision time too: the job dropped them


def test_a_dashboard_not_computed_ahead_is_logged_and_its_first_viewer_computes_it(
    console_as, tenant, tenant_admin, colleague, monkeypatch, caplog
):
    def fails(tenant):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(report_dashboard, "warm", fails)
    opened_conversation(tenant, colleague, utc(2025, 3, 24, 9))
    with caplog.at_level(logging.ERROR, logger="reports.tasks"):
        assert refresh_conversation_metrics.delay().get()[str(tenant.pk)]  # the metrics written all the same
    assert f"Dashboard figures of tenant {tenant.pk} not computed ahead" in caplog.text
    assert console_as(tenant_admin).get("/admin/dashboard/").context["dashboard"]["conversations_total"] == 1


def test_off_nothing_is_computed_ahead(tenant, settings):
    settings.REPORT_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as computed:
        report_dashboard.warm(tenant)
    assert not computed.captured_queries
