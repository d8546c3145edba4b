from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agents.engines.base import EngineError, EngineReply
from agents.models import AIAgent, ToolCallAudit
from analytics.models import EventType, PlatformEvent
from conversations.models import Conversation, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline.answering import FALLBACK_REPLY
from hitl.models import HITLApproval
from reports.message_events import record_message_events
from tests.factories import CampaignFactory, PhoneFactory, budget_action
from tests.pipeline import exchange


def chat(user, text="How are my campaigns doing?", **fields):
    return InboundMessage(channel="chat", text=text, user_id=user.pk, **fields)


def events(kind):
    return PlatformEvent.objects.filter(event_type=kind)


def test_a_message_is_stored_answered_and_logged(engine, colleague):
    result = exchange(chat(colleague))
    conversation = result.conversation
    assert (conversation.user, conversation.tenant, conversation.channel) == (colleague, colleague.tenant, "chat")
    assert result.inbound.text == "How are my campaigns doing?"
    assert result.reply.text == "Here is what I found."
    assert result.reply.in_reply_to == result.inbound
    assert result.reply.metadata["agent_type"] == "paid_ads"
    assert conversation.agent.agent_type == "paid_ads"
    assert list(conversation.messages.values_list("direction", flat=True)) == ["inbound", "outbound"]
    record_message_events(colleague.tenant_id, since=conversation.started_at)  # the metrics job's first step
    for kind in (EventType.CONVERSATION_OPENED, EventType.MESSAGE_RECEIVED, EventType.AGENT_RESPONDED):
        assert events(kind).filter(conversation_id=conversation.pk, tenant=colleague.tenant).count() == 1
    assert engine.requests[0].text == "How are my campaigns doing?"
    assert engine.requests[0].tenant == colleague.tenant


def test_sender_is_found_by_phone_in_any_format(engine, colleague):
    PhoneFactory(user=colleague, phone_number="+14155550123")
    result = exchange(InboundMessage(channel="whatsapp", text="hi", sender_phone="+1 (415) 555-0123"))
    assert result.conversation.user == colleague


def test_sender_is_found_by_email_whatever_its_case(engine, colleague):
    result = exchange(InboundMessage(channel="email", text="hi", sender_email="COLLEAGUE@acme.test"))
    assert result.conversation.user == colleague


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"sender_phone": "+14155559999"}, "unknown_sender"),
        ({"sender_phone": "call me"}, "invalid_sender"),
        ({"sender_email": "stranger@example.test"}, "unknown_sender"),
        ({}, "unknown_sender"),
    ],
)
def test_unknown_senders_are_refused_and_nothing_is_stored(engine, colleague, fields, code):
    with pytest.raises(IngestError) as err:
        exchange(InboundMessage(channel="whatsapp", text="hi", **fields))
    assert err.value.code == code
    assert not Message.objects.exists() and not Conversation.objects.exists()


def test_a_number_shared_across_tenants_needs_the_tenant(engine, colleague, outsider):
    PhoneFactory(user=colleague, phone_number="+14155550123")
    PhoneFactory(user=outsider, phone_number="+14155550123")
    with pytest.raises(IngestError) as err:
        exchange(InboundMessage(channel="whatsapp", text="hi", sender_phone="+14155550123"))
    assert err.value.code == "ambiguous_sender"
    inbound = InboundMessage(channel="whatsapp", text="hi", sender_phone="+14155550123", tenant_id=outsider.tenant_id)
    assert exchange(inbound).conversation.user == outsider


def test_an_inactive_user_is_unknown(engine, colleague):
    colleague.is_active = False
    colleague.save()
    with pytest.raises(IngestError, match="recognise"):
        exchange(chat(colleague))


@pytest.mark.parametrize("text, code", [("", "empty"), ("   \n ", "empty"), ("x" * 4001, "too_long")])
def test_empty_and_oversize_messages_are_refused_before_anything_is_stored(engine, colleague, text, code):
    with pytest.raises(IngestError) as err:
        exchange(chat(colleague, text))
    assert err.value.code == code
    assert not Message.objects.exists()


def test_a_message_of_exactly_the_limit_is_accepted(engine, colleague):
    assert exchange(chat(colleague, "x" * 4000)).inbound.text == "x" * 4000


def test_an_unknown_agent_or_channel_is_refused(engine, colleague):
    with pytest.raises(IngestError, match="Unknown agent"):
        exchange(chat(colleague, agent_type="astrology"))
    with pytest.raises(IngestError, match="Unknown channel"):
        exchange(InboundMessage(channel="fax", text="hi", user_id=colleague.pk))


def test_a_retried_delivery_returns_the_first_result_and_stores_nothing_new(engine, colleague, campaign):
    engine.reply = EngineReply(text="On it.", actions=[budget_action(campaign)])
    first = exchange(chat(colleague, "Raise the Summer Sale budget", channel_message_id="wamid-1"))
    again = exchange(chat(colleague, "Raise the Summer Sale budget", channel_message_id="wamid-1"))
    assert again.duplicate and not first.duplicate
    assert (again.inbound.pk, again.reply.pk) == (first.inbound.pk, first.reply.pk)
    assert [a.approval_id for a in again.actions] == [a.approval_id for a in first.actions]
    assert len(engine.requests) == 1
    assert Message.objects.count() == 2 and HITLApproval.objects.count() == 1
    record_message_events(colleague.tenant_id, since=first.inbound.created_at)
    assert events(EventType.MESSAGE_RECEIVED).count() == 1


def test_a_duplicate_reports_the_approval_status_as_it_stands_now(engine, colleague, campaign):
    engine.reply = EngineReply(text="On it.", actions=[budget_action(campaign)])
    first = exchange(chat(colleague, "Raise it", channel_message_id="m-7"))
    HITLApproval.objects.update(status="approved")
    assert exchange(chat(colleague, "Raise it", channel_message_id="m-7")).actions[0].status == "approved"
    assert first.actions[0].status == "pending"


def test_the_same_provider_id_on_another_channel_is_not_a_duplicate(engine, colleague):
    exchange(chat(colleague, channel_message_id="42"))
    assert not exchange(
        InboundMessage(channel="api", text="hi", user_id=colleague.pk, channel_message_id="42")
    ).duplicate


def test_messages_continue_the_open_conversation_until_it_is_idle(engine, colleague, settings):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        first = exchange(chat(colleague)).conversation
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert exchange(chat(colleague)).conversation == first
    later = start + timedelta(hours=23) + timedelta(hours=24, minutes=1)
    with time_machine.travel(later, tick=False):
        second = exchange(chat(colleague)).conversation
    assert second != first
    first.refresh_from_db()
    assert first.status == "closed" and first.ended_at == start + timedelta(hours=23)
    closed = events(EventType.CONVERSATION_CLOSED).get(conversation_id=first.pk)
    assert closed.metadata["reason"] == Conversation.CloseReason.IDLE


def test_the_idle_period_is_configurable(engine, colleague, settings):
    settings.CONVERSATION_IDLE_HOURS = 1
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        first = exchange(chat(colleague)).conversation
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert exchange(chat(colleague)).conversation != first


def test_channels_have_separate_conversations(engine, colleague):
    assert (
        exchange(chat(colleague)).conversation
        != exchange(InboundMessage(channel="email", text="hi", sender_email=colleague.email)).conversation
    )


def test_an_engine_failure_gives_a_polite_reply_and_an_error_event_and_loses_nothing(engine, colleague):
    engine.error = EngineError("upstream answered 503 for priya@acme.test")
    result = exchange(chat(colleague, "How is Summer Sale doing?"))
    assert result.reply.text == FALLBACK_REPLY
    assert result.reply.metadata["engine_error"] is True
    assert result.inbound.text == "How is Summer Sale doing?"
    error = events(EventType.ENGINE_ERROR).get()
    assert error.subject_id == result.inbound.pk
    assert "503" in error.metadata["error"] and "priya@acme.test" not in error.metadata["error"]


def test_an_unexpected_engine_crash_is_handled_the_same_way(engine, colleague):
    engine.error = ZeroDivisionError("division by zero")
    result = exchange(chat(colleague))
    assert result.reply.text == FALLBACK_REPLY
    assert Message.objects.filter(direction="inbound").count() == 1


def test_the_engine_sees_earlier_turns(engine, colleague):
    exchange(chat(colleague, "How is Summer Sale doing?"))
    exchange(chat(colleague, "And Brand Search?"))
    history = engine.requests[1].history
    assert [(h.role, h.text) for h in history] == [
        ("user", "How is Summer Sale doing?"),
        ("assistant", "Here is what I found."),
    ]


def test_the_channel_can_name_the_agent_and_the_conversation_keeps_it(engine, colleague):
    assert exchange(chat(colleague, "hello", agent_type="seo")).conversation.agent.agent_type == "seo"
    assert exchange(chat(colleague, "and what else?")).reply.metadata["agent_type"] == "seo"
    assert exchange(chat(colleague, "what about our budget?")).reply.metadata["agent_type"] == "paid_ads"


def test_a_tenants_own_agent_replaces_the_system_one(engine, colleague):
    own = AIAgent.objects.create(tenant=colleague.tenant, name="Acme Ads", agent_type="paid_ads")
    assert exchange(chat(colleague, "budget?")).conversation.agent == own


def test_a_proposed_action_waits_for_approval_and_changes_nothing(engine, colleague, campaign):
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    result = exchange(chat(colleague, "Raise the Summer Sale budget to $700 a day"))
    approval = HITLApproval.objects.get()
    assert (approval.status, approval.action_type, approval.requested_by) == ("pending", "set_budget", colleague)
    assert approval.conversation == result.conversation and approval.source_message == result.inbound
    assert approval.reference.startswith("BR-")
    assert result.actions[0].approval_id == str(approval.pk) and result.actions[0].status == "pending"
    assert f"Waiting for approval ({approval.reference})" in result.reply.text
    assert result.conversation.status == "waiting_approval"
    campaign.refresh_from_db()
    assert campaign.daily_budget == 500  # nothing runs before a human approves


def test_the_status_line_names_the_action_unless_the_engine_already_did(engine, colleague, campaign):
    action = budget_action(campaign)
    engine.reply = EngineReply(text="I can do that.", actions=[action])
    terse = exchange(chat(colleague, "Raise the Summer Sale budget to $700 a day")).reply.text
    assert terse.count(action.summary) == 1 and terse.endswith(f"): {action.summary}.")

    higher = budget_action(campaign, "800.00")  # another amount: a new (conflicting) proposal
    engine.reply = EngineReply(text=f"Proposed: {higher.summary}.", actions=[higher])
    result = exchange(chat(colleague, "Make it $800 a day"))
    reference = result.actions[0].reference
    assert result.reply.text == f"Proposed: {higher.summary}.\n\nWaiting for approval ({reference})."


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"action_data": {"daily_budget": "-5"}}, "more than zero"),
        ({"action_data": {"daily_budget": "9999999"}}, "set by hand"),
        ({"action_data": {"daily_budget": "lots"}}, "not a number"),
        ({"action_data": {"daily_budget": "500.00"}}, "already has"),
        ({"action_data": {"campaign_id": "not-a-uuid"}}, "does not exist in your account"),
        ({"action_type": "publish_content"}, "not allowed"),
        ({"estimated_cost": -1}, "out of range"),
    ],
)
def test_the_gateway_refuses_bad_actions_with_a_reason_the_user_sees(engine, colleague, campaign, overrides, reason):
    action = budget_action(campaign)
    if "action_data" in overrides:
        overrides = {**overrides, "action_data": {**action.action_data, **overrides["action_data"]}}
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign, **overrides)])
    result = exchange(chat(colleague, "Raise the Summer Sale budget"))
    assert result.actions[0].status == "refused" and reason in result.actions[0].reason
    assert "I can't propose" in result.reply.text and reason in result.reply.text
    assert not HITLApproval.objects.exists()
    assert result.conversation.status == "open"
    assert ToolCallAudit.objects.get().decision == "refused"
    assert events(EventType.ACTION_REFUSED).count() == 1


def test_another_tenants_campaign_is_refused(engine, colleague, other_tenant):
    foreign = CampaignFactory(tenant=other_tenant, name="Globex Launch")
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(foreign)])
    result = exchange(chat(colleague, "Raise the Globex Launch budget"))
    assert "does not exist in your account" in result.actions[0].reason
    foreign.refresh_from_db()
    assert foreign.daily_budget == 500


def test_a_tenant_can_narrow_what_its_agent_may_propose(engine, colleague, campaign):
    AIAgent.objects.create(
        tenant=colleague.tenant,
        name="Acme Ads",
        agent_type="paid_ads",
        configuration={"allowed_actions": ["pause_campaign"]},
    )
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    assert "not allowed" in exchange(chat(colleague, "budget up")).actions[0].reason


def test_proposals_are_limited_per_conversation_per_hour(engine, colleague, settings):
    settings.GATEWAY_MAX_ACTIONS_PER_HOUR = 3
    campaigns = [CampaignFactory(tenant=colleague.tenant) for _ in range(4)]
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        engine.reply = EngineReply(text="Sure.", actions=[budget_action(c) for c in campaigns])
        result = exchange(chat(colleague, "raise every budget"))
    assert [a.status for a in result.actions] == ["pending", "pending", "pending", "refused"]
    assert "limit of 3 proposals an hour" in result.actions[3].reason
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaigns[3])])
        assert exchange(chat(colleague, "and the last one")).actions[0].status == "refused"
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert exchange(chat(colleague, "and the last one")).actions[0].status == "pending"


def test_the_gateway_audit_redacts_personal_data(engine, colleague):
    engine.reply = EngineReply(
        text="Sure.",
        actions=[
            budget_action(
                CampaignFactory(tenant=colleague.tenant),
                action_type="create_audience",
                action_data={"name": "VIPs", "description": "call +1 415 555 0100 or vip@acme.test"},
                summary="Audience of vip@acme.test",
            )
        ],
    )
    exchange(chat(colleague, "create an audience"))
    audit = ToolCallAudit.objects.get()
    assert audit.action_data["description"] == "call [phone] or [email]"
    assert audit.summary == "Audience of [email]"


def test_writing_into_another_users_conversation_is_refused(engine, colleague, tenant_admin, outsider):
    theirs = exchange(chat(outsider)).conversation
    for intruder in (colleague, tenant_admin):
        with pytest.raises(IngestError) as err:
            exchange(chat(intruder, conversation_id=theirs.pk))
        assert err.value.code == "not_found"
    assert theirs.messages.count() == 2


def test_a_closed_conversation_takes_no_more_messages(engine, colleague):
    conversation = exchange(chat(colleague)).conversation
    Conversation.objects.filter(pk=conversation.pk).update(status="closed")
    with pytest.raises(IngestError) as err:
        exchange(chat(colleague, conversation_id=conversation.pk))
    assert err.value.code == "conversation_closed"


def test_a_user_of_another_tenant_cannot_be_named_with_a_tenant_id(engine, colleague, other_tenant):
    with pytest.raises(IngestError) as err:
        exchange(chat(colleague, tenant_id=other_tenant.pk))
    assert err.value.code == "unknown_sender"


def test_a_request_for_another_agents_action_is_handed_over_in_the_same_conversation(colleague, campaign):
    result = exchange(chat(colleague, "Raise the Summer Sale budget to $700 a day", agent_type="seo"))
    assert result.reply.text.startswith("That's one for the Paid Ads agent, so I passed it on.")
    assert result.reply.metadata["agent_type"] == "paid_ads" and result.conversation.agent.agent_type == "paid_ads"
    assert [a.status for a in result.actions] == ["pending"]
