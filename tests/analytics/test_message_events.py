"""The event log's message entries are written by the metrics job, in bulk and once, not on the message path
(issue 48: what nobody waits for leaves the path)."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from agents.engines.base import EngineReply
from analytics.models import EventType, PlatformEvent
from conversations.normalized import InboundMessage
from conversations.takeover import assign
from conversations.takeover import reply as human_reply
from reports.conversation_metrics import refresh_tenant
from reports.message_events import record_message_events
from tests.factories import budget_action
from tests.pipeline import exchange

MESSAGE_EVENTS = [EventType.MESSAGE_RECEIVED, EventType.AGENT_RESPONDED]


def logged(kind=None):
    return PlatformEvent.objects.filter(event_type__in=[kind] if kind else MESSAGE_EVENTS)


def say(user, text="How are my campaigns doing?"):
    return exchange(InboundMessage(channel="whatsapp", text=text, user_id=user.pk))


def test_the_message_path_logs_no_message_events_and_the_job_logs_each_once(engine, colleague):
    talk = say(colleague)
    assert not logged().exists()  # nothing written for the log while the person waits

    assert refresh_tenant(colleague.tenant_id) == 1
    received, answered = logged(EventType.MESSAGE_RECEIVED).get(), logged(EventType.AGENT_RESPONDED).get()
    assert (received.subject_id, received.metadata["at"]) == (talk.inbound.pk, talk.inbound.created_at.isoformat())
    assert (received.tenant_id, received.user, received.conversation_id) == (
        colleague.tenant_id,
        colleague,
        talk.conversation.pk,
    )
    assert received.metadata["channel"] == "whatsapp"
    assert (answered.subject_id, answered.metadata["at"]) == (talk.reply.pk, talk.reply.created_at.isoformat())
    assert answered.user == colleague
    assert answered.metadata["agent_type"] == "paid_ads" and answered.metadata["response_ms"] >= 0
    assert (answered.metadata["proposed"], answered.metadata["refused"]) == (0, 0)

    assert refresh_tenant(colleague.tenant_id) == 1  # the next run re-reads its lag: still one of each
    assert logged().count() == 2


def test_proposals_and_refusals_are_counted_on_the_answer(engine, colleague, campaign):
    refused = budget_action(campaign, action_type="publish_content")  # not this agent's to propose
    engine.reply = EngineReply(text="On it.", actions=[budget_action(campaign), refused])
    talk = say(colleague, "Raise the Summer Sale budget")
    record_message_events(colleague.tenant_id, since=talk.inbound.created_at)
    answered = logged(EventType.AGENT_RESPONDED).get()
    assert (answered.metadata["proposed"], answered.metadata["refused"]) == (1, 1)


def test_only_an_agents_answer_is_an_answer(engine, colleague, support):
    talk = say(colleague, "hello")
    assign(talk.conversation.pk, actor=support)
    human_reply(talk.conversation.pk, actor=support, text="A person here.")  # a person's reply: human_replied, not this
    later = say(colleague, "thanks")  # set aside for the person: no agent answer
    record_message_events(colleague.tenant_id, since=talk.inbound.created_at)
    assert list(logged(EventType.AGENT_RESPONDED).values_list("subject_id", flat=True)) == [talk.reply.pk]
    assert logged(EventType.MESSAGE_RECEIVED).count() == 2 and later.reply is None


def test_messages_before_the_window_are_not_read_again(engine, colleague):
    old = say(colleague, "hello")
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        new = say(colleague, "and now?")
        record_message_events(colleague.tenant_id, since=new.inbound.created_at)
    assert set(logged().values_list("subject_id", flat=True)) == {new.inbound.pk, new.reply.pk}
    assert not logged().filter(subject_id=old.inbound.pk).exists()
