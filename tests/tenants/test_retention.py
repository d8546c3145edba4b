"""Retention: message content past the tenant's period is replaced by a note (rows and counts stay); access
records past theirs are removed, never younger than 90 days, and otherwise stay append-only."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from conversations import tasks as conversation_tasks
from conversations.models import ConversationEvent, Message
from conversations.retention import apply_message_retention
from tenants import tasks as tenant_tasks
from tenants.models import AccessLog, Tenant
from tenants.privacy.retention import purge_access_logs
from tests.factories import ConversationFactory, MessageFactory, TenantFactory, UserFactory

TEXT = "Call me on +1 415 555 0199"


def message(conversation, *, days_ago, **fields):
    return MessageFactory(
        conversation=conversation, text=TEXT, media_url="https://files.example.com/p.jpg",
        metadata={"agent_type": "paid_ads", "subject": "my phone", "actions": [{"reference": "BR-1", "summary": TEXT}]},
        created_at=timezone.now() - timedelta(days=days_ago), **fields,
    )  # fmt: skip


@pytest.fixture
def talk(tenant, colleague):
    return ConversationFactory(user=colleague)


def test_content_past_the_period_is_replaced_and_the_rows_stay(tenant, talk):
    Tenant.objects.filter(pk=tenant.pk).update(message_retention_days=30)
    old, recent = message(talk, days_ago=31), message(talk, days_ago=29)
    assert apply_message_retention() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.text == "[Removed after 30 days under the retention policy]" and old.media_url == ""
    assert old.metadata == {"agent_type": "paid_ads", "actions": [{"reference": "BR-1"}]}
    assert old.content_removed_at is not None
    assert recent.text == TEXT and recent.content_removed_at is None
    assert Message.objects.filter(conversation=talk).count() == 2  # counts and metrics keep their rows
    assert apply_message_retention() == 0  # nothing left to do: a re-run changes nothing


def test_each_tenant_keeps_its_own_period(tenant, talk):
    other = TenantFactory(slug="globex", message_retention_days=400)
    theirs = ConversationFactory(user=UserFactory(tenant=other))
    kept = message(theirs, days_ago=366)
    removed = message(talk, days_ago=366)  # the default period is 365 days
    conversation_tasks.apply_message_retention()
    kept.refresh_from_db()
    removed.refresh_from_db()
    assert kept.text == TEXT and removed.content_removed_at is not None


def test_replay_events_past_the_period_go_too(tenant, talk):
    Tenant.objects.filter(pk=tenant.pk).update(message_retention_days=1)
    event = ConversationEvent.objects.create(conversation=talk, seq=1, event_type="message_received", payload={})
    ConversationEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = ConversationEvent.objects.create(conversation=talk, seq=2, event_type="message_received", payload={})
    apply_message_retention()
    assert list(ConversationEvent.objects.values_list("pk", flat=True)) == [fresh.pk]


def _access_record(tenant, actor, *, days_ago):
    record = AccessLog.objects.create(
        tenant=tenant, actor=actor, actor_ref="ref", action="viewed", object_type="x", object_id="1",
        object_repr="x", path="/",
    )  # fmt: skip
    # created_at is auto_now_add and the log refuses updates: place the row in the past below the model.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # superuser in tests: skip the trigger
        cursor.execute(
            f"UPDATE {AccessLog._meta.db_table} SET created_at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=days_ago), record.pk.hex if connection.vendor == "sqlite" else record.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    return record


def test_access_records_go_after_the_tenants_period_and_never_before_90_days(tenant, colleague):
    Tenant.objects.filter(pk=tenant.pk).update(access_log_retention_days=100)
    gone = _access_record(tenant, colleague, days_ago=101)
    kept = _access_record(tenant, colleague, days_ago=99)
    young = _access_record(tenant, colleague, days_ago=89)
    assert tenant_tasks.purge_access_logs() == 1
    assert not AccessLog.objects.filter(pk=gone.pk).exists()

    Tenant.objects.filter(pk=tenant.pk).update(access_log_retention_days=1)  # below the floor, set past the form
    assert purge_access_logs() == 1  # the 99-day-old record; the 89-day-old one is under the 90-day floor
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {young.pk}
    assert kept.pk != young.pk


@pytest.mark.postgres("the trigger")
def test_outside_the_purge_the_log_still_refuses_deletes(tenant, colleague):
    record = _access_record(tenant, colleague, days_ago=400)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AccessLog._meta.db_table} WHERE id = %s", [record.pk])
    assert AccessLog.objects.filter(pk=record.pk).exists()


def test_the_tenant_page_shows_both_periods(console_as, tenant):
    admin = UserFactory(tenant=tenant, role="admin")
    html = console_as(admin).get(reverse("admin:tenants_tenant_change", args=[tenant.pk])).content.decode()
    assert 'name="message_retention_days"' in html and 'name="access_log_retention_days"' in html


def test_a_period_outside_its_bounds_is_refused(tenant):
    from django.core.exceptions import ValidationError

    tenant.access_log_retention_days = 30
    with pytest.raises(ValidationError, match="access_log_retention_days"):
        tenant.full_clean()
