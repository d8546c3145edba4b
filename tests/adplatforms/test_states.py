"""What a failure does to a connection: an expired authorisation stops it and tells the tenant's admins once; a
quota pause lasts until the time asked for and ends by itself; new credentials make it active again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from adplatforms import errors, states, sync
from adplatforms.models import AdConnection, SyncRun
from core import layer
from tenants.roles import Role
from tests.concurrency import at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(tenant):
    return [
        UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.test"),
        UserFactory(tenant=tenant, role=Role.ADMIN, email="admina@acme.test", language="es"),
    ]


@pytest.fixture
def told(email_settings, sent_emails):
    """The emails to admins, through Walker's provider backend."""
    return sent_emails


@pytest.fixture
def notices(monkeypatch):
    sent = []
    monkeypatch.setattr(layer, "group_send", lambda group, message: sent.append((group, message)))
    return sent


def test_an_expired_authorisation_stops_the_connection_and_tells_admins_once(
    connection, account, admins, approver, told, notices, django_capture_on_commit_callbacks
):
    account.fail_next(
        "account", errors.AuthorizationExpired("Token has been expired or revoked.", code="invalid_grant")
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.FAILED and "authorisation expired" in run.error
    connection.refresh_from_db()
    assert connection.state == "needs_reauth" and connection.state_detail == "Token has been expired or revoked."
    assert connection.admins_told_at is not None
    assert sorted(email.to for email in told) == ["admin@acme.test", "admina@acme.test"]  # not the approver
    by_address = {email.to: email for email in told}
    assert "Token has been expired or revoked." in by_address["admin@acme.test"].text
    assert by_address["admina@acme.test"].subject == "Walker necesita una nueva autorización para Google Ads"
    assert f"/admin/adplatforms/adconnection/{connection.pk}/change/" in by_address["admin@acme.test"].text
    assert [group for group, _message in notices] == [f"console.{connection.tenant_id}", "console.all"]
    assert notices[0][1]["kind"] == "ad_connection" and "needs re-authorisation" in notices[0][1]["text"]

    # Never loops: the next syncs skip it, nothing is sent again.
    with pytest.raises(sync.NotSyncable, match="Needs re-authorisation"):
        sync.sync_connection(connection)
    states.record_failure(connection, errors.AuthorizationExpired("again"))
    assert len(told) == 2


def test_new_credentials_make_it_active_and_a_later_expiry_is_told_again(connection, admins, told, notices):
    states.record_failure(connection, errors.AuthorizationExpired("revoked"))
    states.reauthorised(connection)

    connection.refresh_from_db()
    assert (connection.state, connection.state_detail, connection.admins_told_at) == ("active", "", None)
    states.record_failure(connection, errors.AuthorizationExpired("revoked again"))
    assert len(told) == 4


def test_a_quota_pause_skips_syncs_until_its_time_then_ends_by_itself(connection, account):
    account.fail_next("campaigns", errors.RateLimited("RESOURCE_EXHAUSTED", retry_after=600, scope="account"))
    sync.sync_connection(connection)
    connection.refresh_from_db()
    assert connection.state == "paused_quota"
    assert timedelta(seconds=590) < connection.paused_until - timezone.now() <= timedelta(seconds=600)

    with pytest.raises(sync.NotSyncable, match="Paused for quota until") as skipped:
        sync.sync_connection(connection)
    assert 590 < skipped.value.retry_after <= 600

    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        run = sync.sync_connection(connection)
    assert run.status == SyncRun.Status.SUCCEEDED
    connection.refresh_from_db()
    assert (connection.state, connection.paused_until) == ("active", None)


def test_walkers_own_budget_does_not_pause_the_connection(connection):
    states.record_failure(connection, errors.RateLimited("budget", code="budget", retry_after=30))
    connection.refresh_from_db()
    assert connection.state == "active"


def test_a_disconnected_connection_is_never_synced_nor_paused(connection, account):
    states.disconnect(connection)
    with pytest.raises(sync.NotSyncable, match="Disconnected"):
        sync.sync_connection(connection)
    states.record_failure(connection, errors.RateLimited("late answer", retry_after=60))
    connection.refresh_from_db()
    assert connection.state == "disabled" and account.calls == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("state", "until", "words"),
    [
        ("active", None, "Active"),
        ("paused_quota", 1, "Paused for quota until"),
        ("needs_reauth", None, "Needs re-authorisation: Google Ads said"),
        ("disabled", None, "Disconnected"),
    ],
)
def test_every_state_reads_in_plain_words(connection, state, until, words):
    from adplatforms.words import state_words

    connection.state = state
    connection.paused_until = timezone.now() + timedelta(hours=until) if until else None
    assert words in state_words(connection)


@pytest.mark.postgres("two workers claiming the one telling")
def test_two_workers_never_tell_twice(postgres_only, tenant, make_connection, told, notices):
    UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.test")
    connection = make_connection(tenant)
    AdConnection.objects.filter(pk=connection.pk).update(state="needs_reauth", state_detail="revoked")

    results = at_once(*[lambda: states.tell_admins_once(AdConnection.objects.get(pk=connection.pk))] * 4)

    assert sorted(results) == [False, False, False, True]
    assert len(told) == 1
