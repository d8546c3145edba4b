"""Point 2: per-conversation metrics, kept current by a job reading the event log from a watermark."""

import threading
from datetime import timedelta

from analytics.events import record
from analytics.models import ConversationAgent, ConversationMetrics, EventType, Watermark
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from reports import conversation_metrics
from reports.conversation_metrics import JOB, recompute, refresh_tenant
from reports.watermarks import job_lock
from tests.analytics.conftest import approval, conversation, exchange, utc
from tests.pipeline import exchange as through_pipeline

T0 = utc(2025, 3, 20, 9, 0)


def metrics(conv) -> ConversationMetrics:
    return ConversationMetrics.objects.get(conversation_id=conv.pk)


def test_figures_of_a_hand_built_conversation(colleague, tenant):
    conv = conversation(colleague, started_at=T0, status="closed", ended_at=T0 + timedelta(minutes=30))
    exchange(conv, T0 + timedelta(seconds=10), wait=timedelta(seconds=2))
    exchange(conv, T0 + timedelta(minutes=5), wait=timedelta(seconds=4), agent_type="seo")
    exchange(conv, T0 + timedelta(minutes=9), wait=timedelta(seconds=9))
    approval(tenant, requested_at=T0, status="executed", conversation=conv)
    approval(tenant, requested_at=T0, status="rejected", conversation=conv, decided_automatically=True)
    record(EventType.SATISFACTION_RATED, tenant=tenant, conversation_id=conv.pk, score=2)
    record(EventType.SATISFACTION_RATED, tenant=tenant, conversation_id=conv.pk, score=4)  # the latest counts

    assert recompute([conv.pk]) == 1
    row = metrics(conv)
    assert (row.tenant, row.channel, row.message_count) == (tenant, "chat", 6)
    assert row.agent_types == ["paid_ads", "seo"]  # by first reply: every agent that answered
    assert row.duration_seconds == 30 * 60
    assert row.first_response_ms == 2000  # first customer message to first agent reply
    assert row.avg_response_time_ms == 5000  # (2 + 4 + 9) / 3 seconds
    assert row.user_satisfaction_score == 4
    assert (row.issue_resolved, row.escalated_to_human, row.hitl_approvals_count) == (True, True, 2)
    assert (row.started_at, row.ended_at) == (T0, T0 + timedelta(minutes=30))
    replies = dict(ConversationAgent.objects.filter(metrics=row).values_list("agent_type", "replies"))
    assert replies == {"paid_ads": 2, "seo": 1}


def test_an_open_approval_keeps_it_unresolved_and_automatic_ones_are_not_escalations(colleague, tenant):
    waiting = conversation(colleague, started_at=T0, status="closed", ended_at=T0)
    approval(tenant, requested_at=T0, status="pending", conversation=waiting)
    automatic = conversation(colleague, started_at=T0, status="closed", ended_at=T0)
    approval(tenant, requested_at=T0, status="executed", decided_automatically=True, conversation=automatic)
    still_open = conversation(colleague, started_at=T0)
    recompute([waiting.pk, automatic.pk, still_open.pk])
    assert (metrics(waiting).issue_resolved, metrics(waiting).escalated_to_human) == (False, True)
    assert (metrics(automatic).issue_resolved, metrics(automatic).escalated_to_human) == (True, False)
    assert metrics(still_open).issue_resolved is False
    assert metrics(still_open).first_response_ms is None and metrics(still_open).message_count == 0


def test_recomputing_replaces_the_row_and_its_agents(colleague):
    conv = conversation(colleague, started_at=T0)
    exchange(conv, T0, wait=timedelta(seconds=1))
    recompute([conv.pk])
    exchange(conv, T0 + timedelta(minutes=1), wait=timedelta(seconds=3), agent_type="content")
    recompute([conv.pk])
    recompute([conv.pk])
    assert ConversationMetrics.objects.count() == 1
    assert metrics(conv).message_count == 4 and metrics(conv).avg_response_time_ms == 2000
    assert ConversationAgent.objects.count() == 2


def test_the_job_follows_the_pipeline_from_its_watermark(engine, colleague, tenant, time_machine):
    time_machine.move_to(T0, tick=False)
    first = through_pipeline(InboundMessage(channel="chat", text="hello", user_id=colleague.pk)).conversation
    time_machine.move_to(T0 + timedelta(minutes=10), tick=False)
    assert refresh_tenant(tenant.pk) == 1
    assert metrics(first).message_count == 2 and metrics(first).agent_types == ["paid_ads"]

    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    assert refresh_tenant(tenant.pk) == 0  # nothing happened since the watermark (less its lag)
    through_pipeline(InboundMessage(channel="chat", text="and our SEO?", user_id=colleague.pk, agent_type="seo"))
    assert refresh_tenant(tenant.pk) == 1
    assert metrics(first).message_count == 4 and metrics(first).agent_types == ["paid_ads", "seo"]
    assert Watermark.objects.get(tenant=tenant, job=JOB).reached == T0 + timedelta(hours=1)


def test_an_approval_decided_later_updates_its_conversation(colleague, tenant, approver, time_machine):
    time_machine.move_to(T0, tick=False)
    conv = conversation(colleague, started_at=T0, status="closed", ended_at=T0)
    row = approval(tenant, requested_at=T0, status="pending", conversation=conv)
    record(EventType.APPROVAL_REQUESTED, tenant=tenant, conversation_id=conv.pk, subject_id=row.pk)
    refresh_tenant(tenant.pk)
    assert metrics(conv).issue_resolved is False

    time_machine.move_to(T0 + timedelta(days=2), tick=False)
    HITLApproval.objects.filter(pk=row.pk).update(status="rejected")
    record(EventType.APPROVAL_REJECTED, tenant=tenant, conversation_id=conv.pk, subject_id=row.pk)
    assert refresh_tenant(tenant.pk) == 1
    assert metrics(conv).issue_resolved is True


def test_other_tenants_are_not_touched(colleague, outsider, tenant, other_tenant):
    mine = conversation(colleague, started_at=T0)
    theirs = conversation(outsider, started_at=T0)
    for conv in (mine, theirs):
        record(EventType.CONVERSATION_OPENED, tenant=conv.tenant, conversation_id=conv.pk)
    refresh_tenant(tenant.pk)
    assert list(ConversationMetrics.objects.values_list("conversation_id", flat=True)) == [mine.pk]


def test_a_second_run_while_one_holds_the_tenant_skips(postgres_only, tenant):
    holding, release = threading.Event(), threading.Event()

    def hold():
        from django.db import connection

        with job_lock(tenant.pk, JOB):
            holding.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        assert refresh_tenant(tenant.pk) is None
    finally:
        release.set()
        thread.join()
    assert refresh_tenant(tenant.pk) == 0


def test_batches_cover_every_conversation(colleague, monkeypatch):
    monkeypatch.setattr(conversation_metrics, "BATCH", 2)
    convs = [conversation(colleague, started_at=T0 + timedelta(minutes=n)) for n in range(5)]
    assert recompute([c.pk for c in convs]) == 5
    assert ConversationMetrics.objects.count() == 5
