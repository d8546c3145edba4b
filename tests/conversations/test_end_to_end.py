"""The product's two example messages, end to end with the built-in engine and the demo data."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from agents import formatting as fmt
from agents.models import Campaign, CampaignDailyStat
from agents.performance import last_days
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from tenants.models import Tenant, User
from tests.pipeline import exchange


@pytest.fixture
def demo(db, capsys):
    call_command("seed_demo")
    capsys.readouterr()
    return Tenant.objects.get(slug="acme-outdoor")


def last_week_spend(tenant, name) -> Decimal:
    current, _ = last_days(tenant, 7)
    stats = CampaignDailyStat.objects.filter(campaign__tenant=tenant, campaign__name=name)
    return stats.filter(date__gte=current.first, date__lte=current.last).aggregate(s=Sum("spend"))["s"]


def test_a_whatsapp_question_is_answered_from_the_tenants_own_numbers(demo):
    result = exchange(
        InboundMessage(channel="whatsapp", text="How is my Summer Sale campaign doing?", sender_phone="+1 415 555 0105")
    )
    reply = result.reply.text
    assert result.conversation.user.email == "member@acme.test"
    assert result.reply.metadata["agent_type"] == "paid_ads"
    assert "Summer Sale" in reply and "ROAS" in reply and "CTR" in reply and "CPA" in reply
    assert fmt.money(last_week_spend(demo, "Summer Sale")) in reply
    assert len(reply) <= 1000 and not result.actions


def test_a_budget_request_waits_for_a_human_and_then_runs_once(demo, django_capture_on_commit_callbacks):
    member = User.objects.get(email="member@acme.test")
    result = exchange(
        InboundMessage(channel="chat", text="Raise the Summer Sale budget to $700 a day", user_id=member.pk)
    )
    (outcome,) = result.actions
    approval = HITLApproval.objects.get(pk=outcome.approval_id)
    assert approval.status == "pending" and approval.action_type == "set_budget"
    assert approval.action_data["daily_budget"] == "700.00"
    assert approval.estimated_cost == Decimal("6000.00")  # $200 more a day for 30 days
    assert f"Waiting for approval ({approval.reference})" in result.reply.text
    campaign = Campaign.objects.get(tenant=demo, name="Summer Sale")
    assert campaign.daily_budget == Decimal("500.00")

    with django_capture_on_commit_callbacks(execute=True):
        approve(approval.pk, actor=User.objects.get(email="approver@acme.test"))
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")
    told = result.conversation.messages.order_by("-created_at").first()
    assert told.text == "Approved and done: Summer Sale daily budget $500.00 -> $700.00"


@pytest.mark.parametrize(
    "text, agent, expected",
    [
        ("Which keywords gained or lost positions?", "seo", "position"),
        ("What's our best content?", "content", "engagement"),
        ("Which audiences are growing fastest?", "audience", "Trail Runners"),
        ("Which campaign is performing best?", "paid_ads", "CPA"),
    ],
)
def test_each_agent_answers_by_email(demo, text, agent, expected):
    result = exchange(InboundMessage(channel="email", text=text, sender_email="Member@Acme.test"))
    assert result.reply.metadata["agent_type"] == agent
    assert expected.lower() in result.reply.text.lower()


def test_the_same_exchange_through_the_api(demo, api_as, django_capture_on_commit_callbacks):
    member = User.objects.get(email="member@acme.test")
    client = api_as(member)
    started = client.post("/api/conversations/", {"channel": "api"}, format="json").json()
    url = f"/api/conversations/{started['id']}/messages/"
    with django_capture_on_commit_callbacks(execute=True):  # the worker's turn, eagerly
        client.post(url, {"message": "How is my Summer Sale campaign doing?"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"message": "Raise the Summer Sale budget to $700 a day"}, format="json")
    answer, request = [e for e in client.get(f"/api/conversations/{started['id']}/events/").json()["events"][1::2]]
    assert answer["type"] == request["type"] == "agent_response"
    assert fmt.money(last_week_spend(demo, "Summer Sale")) in answer["text"]
    assert request["actions"][0]["status"] == "pending"
    assert Campaign.objects.get(tenant=demo, name="Summer Sale").daily_budget == Decimal("500.00")
