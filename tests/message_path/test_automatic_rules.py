"""Automatic approval rules on every channel: the proposal a rule decides is recorded, run or refused and answered
in the same turn, and the conversation goes on (issue 29: the answer and the rule's `approval_update` once took
the same event number, the answer was rolled back and retried for ever, and the conversation fell silent)."""

from decimal import Decimal

import pytest
from channels.db import database_sync_to_async

from agents.engines.base import EngineReply
from agents.models import Campaign
from channels_app.email.threading import reply_address
from conversations.models import Conversation, Message
from hitl.models import HITLApproval
from tests.factories import CampaignFactory, HITLWorkflowFactory, budget_action, spend_history
from tests.fixtures.whatsapp import inbound_form, post_signed

ASK = "Raise the Summer Sale budget to $502 a day"
NEXT = "And how is it doing now?"
PLAIN = "Here is what I found."
RULES = {  # the tenant's one workflow, deciding every such proposal itself
    "approve": {"auto_approve_conditions": [{"field": "risk_level", "op": "eq", "value": "low"}]},
    "reject": {"auto_reject_conditions": [{"field": "action_type", "op": "eq", "value": "set_budget"}]},
}
OUTCOMES = {
    "approve": ("executed", "Approved by your approval rules", Decimal("502.00")),
    "reject": ("rejected", "Rejected by your approval rules", Decimal("500.00")),
}
DKIM = "{@acme.test : pass}"  # the sender's own domain signed it
pytestmark = pytest.mark.usefixtures("email_settings")  # the provider backend, here only


@pytest.fixture(params=["approve", "reject"])
def rule(request, tenant):
    HITLWorkflowFactory(tenant=tenant, **RULES[request.param])
    return request.param


@pytest.fixture
def summer_sale(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    spend_history(campaign, days=30, spend="480.00")  # $10 more is small beside it: a low risk
    return campaign


@pytest.fixture
def proposing(engine, summer_sale):
    """The engine proposes a small, low-risk budget change; set `engine.reply` again for plain answers."""
    action = budget_action(summer_sale, "502.00", estimated_cost=Decimal("10"), estimated_reach=500, confidence=0.95)
    engine.reply = EngineReply(text="I can do that.", actions=[action])
    return engine


def decided_in_the_same_turn(rule: str, inbound: Message) -> HITLApproval:
    """The rule's decision is recorded and carried out, the answer says so, and nothing is left held."""
    status, line, budget = OUTCOMES[rule]
    approval = HITLApproval.objects.get(source_message=inbound)
    assert approval.status == status and approval.decided_automatically
    assert [(d.decision, d.via, d.approver_id) for d in approval.decisions.all()] == [(rule, "auto", None)]
    history = list(approval.history.values_list("event_type", flat=True))
    assert history[0] == "created" and ("approved" if rule == "approve" else "rejected") in history
    reply = inbound.replies.get(direction="outbound")
    assert f"{line} ({approval.reference})" in reply.text
    assert reply.metadata["actions"][0]["reference"] == approval.reference
    assert Campaign.objects.get(tenant=approval.tenant, name="Summer Sale").daily_budget == budget
    conversation = Conversation.objects.get(pk=inbound.conversation_id)
    assert conversation.answered_seq == inbound.seq and conversation.answer_lease is None
    assert conversation.status == Conversation.Status.OPEN  # nothing waits for a person
    events = list(conversation.events.order_by("seq").values_list("seq", "event_type"))
    assert [seq for seq, _ in events] == list(range(1, conversation.event_seq + 1))  # each number once, no gap
    after = [kind for seq, kind in events if seq > inbound.seq]
    assert after[0] == "agent_response" and set(after[1:]) == {"approval_update"}  # the answer, then the outcome
    assert Message.objects.get(pk=reply.pk).seq == inbound.seq + 1
    return approval


def answered_plainly(message_id) -> bool:
    reply = Message.objects.get(pk=message_id).replies.filter(direction="outbound").first()
    return reply is not None and reply.text == PLAIN


def test_over_the_api(rule, proposing, api_as, colleague, django_capture_on_commit_callbacks):
    client = api_as(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/conversations/", {"channel": "api", "message": ASK}, format="json")
    assert started.status_code == 201
    conversation_id = started.json()["id"]
    inbound = Message.objects.get(conversation_id=conversation_id, direction="inbound")
    approval = decided_in_the_same_turn(rule, inbound)
    events = client.get(f"/api/conversations/{conversation_id}/events/?after={inbound.seq}").json()["events"]
    assert events[0]["type"] == "agent_response" and events[0]["actions"][0]["approval_id"] == str(approval.pk)
    assert events[-1]["type"] == "approval_update" and events[-1]["status"] == OUTCOMES[rule][0]

    proposing.reply = EngineReply(text=PLAIN)
    with django_capture_on_commit_callbacks(execute=True):
        more = client.post(f"/api/conversations/{conversation_id}/messages/", {"message": NEXT}, format="json")
    assert more.status_code == 202 and answered_plainly(more.json()["message"]["id"])


@pytest.mark.asyncio
async def test_on_the_chat(rule, proposing, chat_db, open_tab, colleague):
    connected, tab = await open_tab(colleague)
    await tab.next()  # history
    await tab.say(ASK, "c1")
    answer = (await tab.until("agent_response"))[-1]
    (action,) = answer["actions"]
    status = OUTCOMES[rule][0]
    updates = [f for f in await tab.until("approval_update") if f["type"] == "approval_update"]
    while updates[-1]["status"] != status:  # approved, then executed: each outcome told once, in order
        updates += [f for f in await tab.until("approval_update") if f["type"] == "approval_update"]
    assert {u["approval_id"] for u in updates} == {action["approval_id"]}
    assert all(u["seq"] > answer["seq"] for u in updates)

    inbound = await database_sync_to_async(Message.objects.get)(pk=answer["in_reply_to"])
    await database_sync_to_async(decided_in_the_same_turn)(rule, inbound)
    proposing.reply = EngineReply(text=PLAIN)
    await tab.say(NEXT, "c2")
    following = (await tab.until("agent_response"))[-1]
    assert following["text"] == PLAIN and following["seq"] > updates[-1]["seq"]
    await tab.close()


@pytest.mark.django_db
def test_over_whatsapp(rule, proposing, client, twilio, number, member_phone):
    assert post_signed(client, "/channels/whatsapp/webhook", inbound_form(member_phone.phone_number, ASK)).status_code
    inbound = Message.objects.get(direction="inbound")
    decided_in_the_same_turn(rule, inbound)
    reply = inbound.replies.get(direction="outbound")
    assert reply.status == "sent" and reply.text in [sent["Body"] for sent in twilio.sent]

    proposing.reply = EngineReply(text=PLAIN)
    form = inbound_form(member_phone.phone_number, NEXT)
    assert post_signed(client, "/channels/whatsapp/webhook", form).status_code == 200
    following = Message.objects.get(channel_message_id=form["MessageSid"])
    assert following.conversation_id == inbound.conversation_id and answered_plainly(following.pk)
    assert twilio.sent[-1]["Body"] == PLAIN


@pytest.mark.django_db
def test_by_email(rule, proposing, post_email, sendgrid, requester):
    response = post_email(sender=requester.email, subject="Budget", text=ASK, dkim=DKIM)
    assert response.json() == {"outcome": "message"}
    inbound = Message.objects.get(direction="inbound")
    decided_in_the_same_turn(rule, inbound)
    reply = inbound.replies.get(direction="outbound")
    assert reply.status == "sent" and any(reply.text in mail["content"][0]["value"] for mail in sendgrid.mails)

    proposing.reply = EngineReply(text=PLAIN)
    to = reply_address(inbound.conversation)
    post_email(sender=requester.email, to=to, text=NEXT, headers={"Message-ID": "<m2@client.test>"}, dkim=DKIM)
    following = Message.objects.get(channel_message_id="m2@client.test")
    assert following.conversation_id == inbound.conversation_id and answered_plainly(following.pk)
