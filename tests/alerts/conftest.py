"""A rule factory and the rows each figure reads, made as the product leaves them; the Slack app's fake Web API and
workspace (tests/slack) for the notices posted on Slack."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from alerts.evaluation import evaluate
from alerts.models import AlertRule
from analytics.events import record
from analytics.models import ConversationMetrics, EmailDeliveryLog
from channels_app.slack.models import SlackApprovalMessage
from channels_app.whatsapp.models import WhatsAppSend
from tests.analytics.conftest import approval
from tests.fixtures.whatsapp import new_sid
from tests.slack.conftest import slack_api, workspace  # noqa: F401 (fixtures)


@pytest.fixture
def rule(tenant, tenant_admin):
    """`rule(kind, threshold, **fields)`: an enabled rule of `tenant` telling its admins by email."""

    def make(kind, threshold, *, of=None, people=(), **fields):
        values = {
            "name": f"{kind} above {threshold}",
            "notify_roles": ["admin"],
            "notify_channels": ["email"],
            "window_minutes": 60,
            **fields,
        }
        made = AlertRule.objects.create(tenant=of or tenant, kind=kind, threshold=Decimal(threshold), **values)
        made.notify_people.set(people)
        return made

    return make


@pytest.fixture
def sent_after_commit(django_capture_on_commit_callbacks):
    """`sent_after_commit(rule)`: the rule evaluated, and the notices it wrote sent as its commit would send them."""

    def run(watched):
        with django_capture_on_commit_callbacks(execute=True):
            return evaluate(watched.pk)

    return run


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def events(tenant, event_type, count, *, minutes_ago=5):
    """`count` platform events of `tenant`, recorded `minutes_ago`."""
    with time_machine.travel(ago(minutes_ago), tick=False):
        for _ in range(count):
            record(event_type, tenant=tenant)


def first_responses(tenant, *seconds, minutes_ago=10):
    """One conversation's metrics row per first response time (seconds)."""
    for took in seconds:
        ConversationMetrics.objects.create(
            tenant=tenant,
            conversation_id=uuid.uuid4(),
            channel="chat",
            first_response_ms=int(took * 1000),
            started_at=ago(minutes_ago),
        )


def emails(tenant, status, count, *, minutes_ago=5):
    with time_machine.travel(ago(minutes_ago), tick=False):
        for n in range(count):
            EmailDeliveryLog.objects.create(
                tenant=tenant,
                to_address=f"reader{n}@example.test",
                email_type="system",
                reference=f"direct:{new_sid()}",
                status=status,
            )


def whatsapp_sends(tenant, status, count, *, minutes_ago=5):
    for _ in range(count):
        WhatsAppSend.objects.create(
            sid=new_sid(), tenant=tenant, to="+14155550100", status=status, created_at=ago(minutes_ago)
        )


def slack_messages(tenant, status, count, *, minutes_ago=5):
    """Approvals' Slack messages; failed ones failed `minutes_ago`."""
    for _ in range(count):
        failed_at = ago(minutes_ago) if status == SlackApprovalMessage.Status.FAILED else None
        SlackApprovalMessage.objects.create(
            approval=approval(tenant, requested_at=ago(minutes_ago)), channel="C0APPROVALS", status=status,
            failed_at=failed_at, failure_reason="channel_not_found" if failed_at else "",
        )  # fmt: skip
