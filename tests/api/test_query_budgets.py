"""The list APIs cost the same few queries whatever a page holds: eight rows each, every relation the serializers
follow filled in differently per row, so one query per row (an N+1) would break the budget by eight."""

from decimal import Decimal

import pytest
from django.test import TestCase

from conversations import takeover
from hitl.services.decisions import approve, reject
from tenants.roles import Role
from tests.factories import CampaignFactory, ConversationFactory, MessageFactory, UserFactory

ROWS = 8


@pytest.fixture
def conversations(tenant, paid_ads):
    """Eight people's conversations, each with its agent and an exchange."""
    rows = []
    for n in range(ROWS):
        person = UserFactory(tenant=tenant, email=f"customer{n}@acme.test")
        conversation = ConversationFactory(user=person, agent=paid_ads, channel=("chat", "api", "whatsapp")[n % 3])
        asked = MessageFactory(conversation=conversation, text=f"How is campaign {n} doing?")
        MessageFactory(
            conversation=conversation, direction="outbound", sender_type="agent", text="Fine.", in_reply_to=asked,
            metadata={"agent_type": "paid_ads"},
        )  # fmt: skip
        rows.append(conversation)
    return rows


@pytest.fixture
def held(conversations, tenant):
    """Each conversation taken over by a different person of the support team, who replied and left a note."""
    for n, conversation in enumerate(conversations):
        holder = UserFactory(tenant=tenant, role=Role.SUPPORT, first_name=f"Agent{n}", email=f"support{n}@acme.test")
        with TestCase.captureOnCommitCallbacks(execute=True):
            takeover.assign(conversation.pk, actor=holder)
            takeover.reply(conversation.pk, actor=holder, text="A person here.")
            takeover.add_note(conversation.pk, actor=holder, text="Wants a refund")
    return conversations


@pytest.mark.parametrize("reveal, budget", [("", 5), ("?reveal=1&reason=complaint", 7)])
def test_the_conversation_list(api_as, staff, conversations, django_assert_max_num_queries, reveal, budget):
    """The page and its count, the access log's record (and, revealing, the reveal's checks)."""
    with django_assert_max_num_queries(budget):
        response = api_as(staff[Role.COMPLIANCE]).get(f"/api/conversations/{reveal}")
    assert response.status_code == 200 and len(response.json()["results"]) == ROWS


def test_the_takeover_list_of_held_conversations(api_as, staff, held, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # as for conversations no one holds
        response = api_as(staff[Role.ADMIN]).get("/api/conversations/")
    rows = response.json()["results"]
    assert len(rows) == ROWS and len({row["held_by"]["name"] for row in rows}) == ROWS


@pytest.fixture
def approvals(tenant, ask, staff, requester):
    """Eight requests by different people for different campaigns: some approved, some rejected, some waiting,
    some superseded by a later request for their campaign (linked both ways)."""
    rows, approver = [], staff[Role.APPROVER]
    for n in range(ROWS):
        campaign = CampaignFactory(tenant=tenant, name=f"Campaign {n}", daily_budget=Decimal("500.00"))
        person = UserFactory(tenant=tenant, email=f"requester{n}@acme.test")
        approval = ask("700.00", by=person, of=campaign)
        if n % 4 == 1:
            approve(approval.pk, actor=approver)
        elif n % 4 == 2:
            reject(approval.pk, actor=approver, reason="Not now")
        elif n % 4 == 3:
            ask("800.00", by=requester, of=campaign)  # supersedes it
        rows.append(approval)
    return rows


@pytest.mark.parametrize("reveal, budget", [("", 6), ("?reveal=1&reason=audit", 9)])
def test_the_approval_list(api_as, staff, approvals, django_assert_max_num_queries, reveal, budget):
    """The page and its count, the linked requests both ways (and, revealing, the reveal's checks and record)."""
    with django_assert_max_num_queries(budget):
        response = api_as(staff[Role.COMPLIANCE]).get(f"/api/hitl/approvals/{reveal}")
    assert response.status_code == 200 and len(response.json()["results"]) >= ROWS
