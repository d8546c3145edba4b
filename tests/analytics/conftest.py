from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hitl.models import HITLApproval, HITLDecision
from tenants.roles import Role
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def approval(tenant, *, requested_at, status="pending", took=None, action_type="set_budget", cost="100", **fields):
    """An approval row as the services leave it. `took`: a person decided it that long after the request."""
    row = HITLApprovalFactory(
        tenant=tenant,
        action_type=action_type,
        action_summary=f"{action_type} {cost}",
        estimated_cost=Decimal(cost),
        **fields,
    )
    updates = {"status": status, "requested_at": requested_at}
    if took is not None:
        decided = requested_at + took
        updates["resolved_at"] = decided
        updates["approved_at" if status in ("approved", "executed") else "rejected_at"] = decided
    HITLApproval.objects.filter(pk=row.pk).update(**updates)
    row.refresh_from_db()
    return row


def decision(row, approver, verdict="approve", *, at=None):
    """`approver`'s decision on `row`, made `at` (by default when the row was resolved, or requested)."""
    made = HITLDecision.objects.create(
        tenant_id=row.tenant_id, approval=row, level=1, approver=approver, decision=verdict, via="admin"
    )
    made.decided_at = at or row.resolved_at or row.requested_at
    HITLDecision.objects.filter(pk=made.pk).update(decided_at=made.decided_at)
    return made


def conversation(user, *, started_at, channel="chat", status="open", ended_at=None):
    return ConversationFactory(
        user=user,
        channel=channel,
        started_at=started_at,
        last_message_at=ended_at or started_at,
        status=status,
        ended_at=ended_at,
    )


def exchange(conv, at, *, wait: timedelta, agent_type="paid_ads", text="How are we doing?"):
    """A customer message at `at` and the agent's reply `wait` later."""
    asked = MessageFactory(conversation=conv, text=text, created_at=at)
    return MessageFactory(
        conversation=conv, direction="outbound", sender_type="agent", text="Here.", in_reply_to=asked,
        created_at=at + wait, metadata={"agent_type": agent_type},
    )  # fmt: skip


@pytest.fixture
def compliance(tenant):
    return UserFactory(tenant=tenant, role=Role.COMPLIANCE, email="compliance@acme.test")
