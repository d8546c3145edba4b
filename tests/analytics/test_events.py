"""Point 1: decisions, executions, notifications, handoffs and channel failures reach the platform event log."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from analytics.events import record
from analytics.models import EventType, PlatformEvent
from conversations.normalized import InboundMessage
from conversations.services import mark_failed
from hitl.models import HITLApproval, HITLNotification
from hitl.services.closing import cancel, expire_locked
from hitl.services.decisions import approve, reject
from hitl.services.execution import run_execution
from reports.conversation_metrics import record_handoffs
from tests.factories import CampaignFactory
from tests.pipeline import exchange


def events(kind, **filters):
    return PlatformEvent.objects.filter(event_type=kind, **filters)


def test_an_approval_and_its_execution_are_recorded_once_each(ask, approver, tenant):
    approval = ask()
    approve(approval.pk, actor=approver)
    assert run_execution(approval.pk, max_attempts=1) == "executed"

    assert events(EventType.APPROVAL_REQUESTED, subject_id=approval.pk).count() == 1  # not doubled by the history
    decided = events(EventType.APPROVAL_APPROVED).get()
    assert (decided.tenant, decided.user, decided.subject_id) == (tenant, approver, approval.pk)
    assert decided.metadata == {
        "action_type": "set_budget", "risk_level": approval.risk_level, "reference": approval.reference,
        "automatic": False,
    }  # fmt: skip
    assert events(EventType.EXECUTION_SUCCEEDED, subject_id=approval.pk).count() == 1


def test_rejections_cancellations_and_expiries_are_recorded(ask, approver, requester, other_campaign, tenant):
    third = CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00"))
    # three requests waiting together: one per campaign (a newer one for a campaign supersedes the waiting one)
    rejected, cancelled, expired = ask("700.00"), ask("710.00", of=other_campaign), ask("720.00", of=third)
    reject(rejected.pk, actor=approver, reason="Too much")
    cancel(cancelled.pk, actor=requester)
    row = HITLApproval.objects.get(pk=expired.pk)
    expire_locked(row)
    assert events(EventType.APPROVAL_REJECTED).get().subject_id == rejected.pk
    assert events(EventType.APPROVAL_CANCELLED).get().user == requester
    assert events(EventType.APPROVAL_EXPIRED).get().user is None


def test_a_failed_execution_is_recorded(ask, approver, campaign):
    approval = ask()
    approve(approval.pk, actor=approver)
    campaign.delete()  # the ledger refuses a change to a campaign that is gone
    assert run_execution(approval.pk, max_attempts=1) == "failed"
    assert events(EventType.EXECUTION_FAILED, subject_id=approval.pk).count() == 1


def test_notification_outcomes_are_recorded(ask, workflow, approver, django_capture_on_commit_callbacks):
    workflow(notification_channels=["in_app", "slack"])  # in-app is delivered; Slack has no webhook: failed
    with django_capture_on_commit_callbacks(execute=True):
        approval = ask()
    delivered = events(EventType.NOTIFICATION_DELIVERED).get()
    failed = events(EventType.NOTIFICATION_FAILED).get()
    assert delivered.metadata["channel"] == "in_app" and delivered.user == approver
    assert failed.metadata["channel"] == "slack" and "no Slack webhook" in failed.metadata["reason"]
    assert failed.subject_id == HITLNotification.objects.get(channel="slack").pk
    assert failed.metadata["approval_id"] == str(approval.pk)


def test_a_notification_given_up_after_retries_is_recorded(ask, workflow, approver):
    from hitl.notifying.senders import mark_failed_after_retries

    workflow(notification_channels=["slack"])
    row = HITLNotification.objects.get(approval=ask())  # pending: on-commit sends did not run
    mark_failed_after_retries(row.pk, RuntimeError("503"))
    mark_failed_after_retries(row.pk, RuntimeError("503"))  # a second call changes nothing
    assert events(EventType.NOTIFICATION_FAILED, subject_id=row.pk).count() == 1


def test_a_handoff_to_another_agent_is_recorded_once_by_the_metrics_job(engine, colleague):
    first = exchange(InboundMessage(channel="chat", text="hello", user_id=colleague.pk, agent_type="seo"))
    exchange(InboundMessage(channel="chat", text="and what else?", user_id=colleague.pk))  # same agent: no handoff
    switched = exchange(InboundMessage(channel="chat", text="what about our budget?", user_id=colleague.pk)).reply
    assert not events(EventType.HANDOFF).exists()  # nothing more on the message path

    conversation_id = first.conversation.pk
    assert record_handoffs([conversation_id]) == 1
    assert record_handoffs([conversation_id]) == 0  # the job runs again: still one
    handoff = events(EventType.HANDOFF).get()
    assert (handoff.conversation_id, handoff.subject_id) == (conversation_id, switched.pk)
    assert (handoff.metadata["from_agent"], handoff.metadata["to_agent"]) == ("seo", "paid_ads")
    assert handoff.metadata["handed_at"] == switched.created_at.isoformat()


def test_a_message_that_fails_on_its_channel_is_recorded_once(engine, colleague):
    reply = exchange(InboundMessage(channel="chat", text="hello", user_id=colleague.pk)).reply
    mark_failed(reply, "provider said no to colleague@acme.test")
    mark_failed(reply, "provider said no again")  # already failed: not a second failure
    reply.refresh_from_db()
    assert (reply.status, reply.error) == ("failed", "provider said no to colleague@acme.test")
    failure = events(EventType.CHANNEL_FAILURE).get()
    assert failure.subject_id == reply.pk and failure.metadata["channel"] == "chat"
    assert "colleague@acme.test" not in failure.metadata["error"]  # personal data redacted


def test_events_are_append_only(tenant):
    event = record(EventType.ENGINE_ERROR, tenant=tenant)
    with pytest.raises(PermissionDenied):
        PlatformEvent.objects.filter(pk=event.pk).update(event_type=EventType.HANDOFF)
    with pytest.raises(PermissionDenied):
        PlatformEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
