"""A person's replies count among a conversation's messages but never as an agent's answer."""

import time_machine
from django.utils import timezone

from analytics.models import ConversationAgent, ConversationMetrics
from conversations import takeover
from reports.conversation_metrics import refresh_tenant
from reports.watermarks import LAG


def test_metrics_count_a_persons_reply_as_a_message_not_as_an_agents_answer(chatting, support, tenant):
    start = timezone.now()
    with time_machine.travel(start + LAG * 2):  # the first run; the chat's own events are older than its lag
        refresh_tenant(tenant.pk)
    before = ConversationMetrics.objects.get(conversation_id=chatting.pk)
    with time_machine.travel(start + LAG * 4):  # the next run finds the reply by its own event
        takeover.assign(chatting.pk, actor=support)
        takeover.reply(chatting.pk, actor=support, text="Support here.")
        takeover.add_note(chatting.pk, actor=support, text="Not a message.")
        refresh_tenant(tenant.pk)
    after = ConversationMetrics.objects.get(conversation_id=chatting.pk)
    assert (before.message_count, after.message_count) == (2, 3)  # the reply counts, the note does not
    assert after.first_response_ms == before.first_response_ms
    assert list(ConversationAgent.objects.values_list("agent_type", "replies")) == [("paid_ads", 1)]
