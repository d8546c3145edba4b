"""The beat claims due connections once each, and a connection's sync task retries quota and outages with
Celery's own retry, never an expired authorisation."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone

from adplatforms import errors, schedule, tasks
from adplatforms.models import AdConnection, SyncRun
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db


def test_the_beat_runs_every_minute_and_the_tasks_are_named_for_the_bulk_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["adplatforms-sync-due"]
    assert entry == {"task": "adplatforms.tasks.sync_due_connections", "schedule": 60.0}
    assert tasks.sync_connection.name == "adplatforms.tasks.sync_connection"
    assert tasks.sync_due_connections.name == "adplatforms.tasks.sync_due_connections"


def test_the_beat_queues_each_due_usable_connection(
    tenant, make_connection, accounts, monkeypatch, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = make_connection(tenant, account_id="1111111111", next_sync_at=now - timedelta(minutes=1))
    never = make_connection(tenant, account_id="2222222222")
    make_connection(tenant, account_id="3333333333", next_sync_at=now + timedelta(minutes=5))  # not yet
    make_connection(tenant, account_id="4444444444", state="disabled")
    make_connection(tenant, account_id="5555555555", state="needs_reauth")
    make_connection(tenant, account_id="6666666666", state="paused_quota", paused_until=now + timedelta(minutes=5))
    over = make_connection(tenant, account_id="7777777777", state="paused_quota", paused_until=now - timedelta(1))
    queued = []
    monkeypatch.setattr(tasks.sync_connection, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_due_connections() == 3

    assert sorted(queued) == sorted(str(c.pk) for c in (due, never, over))
    due.refresh_from_db()
    assert due.next_sync_at > now + timedelta(minutes=59)
    assert tasks.sync_due_connections() == 0  # claimed: not due again until its next time


def test_the_task_syncs_and_a_quota_pause_ends_by_itself(connection, accounts):
    AdConnection.objects.filter(pk=connection.pk).update(
        state="paused_quota", paused_until=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.sync_connection(str(connection.pk)) == SyncRun.Status.SUCCEEDED
    connection.refresh_from_db()
    assert connection.state == "active"


@pytest.fixture
def retries(monkeypatch):
    asked = []

    def retry(countdown):
        asked.append(countdown)
        return Retry(when=countdown)

    monkeypatch.setattr(tasks.sync_connection, "retry", retry)
    return asked


@pytest.mark.parametrize(
    ("error", "countdown"),
    [
        (errors.RateLimited("RESOURCE_EXHAUSTED", retry_after=300, scope="account"), 300),  # as the platform asked
        (errors.RateLimited("throttled", retry_after=None), 60),  # its own backoff
        (errors.Unavailable("503 Service Unavailable"), 60),
    ],
)
def test_quota_and_outages_are_retried(connection, account, retries, error, countdown):
    account.fail_next("account", error)
    with pytest.raises(Retry):
        tasks.sync_connection(str(connection.pk))
    assert retries == [countdown]


def test_the_backoff_grows_and_is_bounded():
    assert [tasks.backoff(n, None) for n in range(7)] == [60, 120, 240, 480, 960, 1920, 3600]
    assert tasks.backoff(1, 900.5) == 900
    assert tasks.sync_connection.max_retries == tasks.MAX_RETRIES


@pytest.mark.parametrize("error", [errors.AuthorizationExpired("invalid_grant"), errors.PermissionDenied("no access")])
def test_an_expired_authorisation_or_a_refusal_is_never_retried(connection, account, retries, error):
    account.fail_next("account", error)
    assert tasks.sync_connection(str(connection.pk)) == SyncRun.Status.FAILED
    assert retries == []


def test_a_disconnected_or_deleted_connection_is_skipped(connection, account, retries):
    AdConnection.objects.filter(pk=connection.pk).update(state="disabled")
    assert tasks.sync_connection(str(connection.pk)) == "skipped"
    assert tasks.sync_connection("00000000-0000-0000-0000-000000000000") == "gone"
    assert account.calls == [] and retries == []


def test_a_paused_connection_waits_for_its_time(connection, account, retries):
    AdConnection.objects.filter(pk=connection.pk).update(
        state="paused_quota", paused_until=timezone.now() + timedelta(seconds=400)
    )
    with pytest.raises(Retry):
        tasks.sync_connection(str(connection.pk))
    assert 390 < retries[0] <= 400 and account.calls == []


@pytest.mark.postgres("two beats claiming at once")
def test_two_beats_at_once_fan_out_each_connection_once(postgres_only, tenant, make_connection):
    connections = [make_connection(tenant, account_id=f"{n:010d}") for n in range(20)]

    first, second = at_once(schedule.claim_due, schedule.claim_due)

    assert not set(first) & set(second)
    assert set(first) | set(second) == {c.pk for c in connections}
