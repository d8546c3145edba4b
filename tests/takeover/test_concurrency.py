"""Two people at the same instant, on real PostgreSQL connections: one holder, one clear refusal."""

import pytest

from analytics.models import EventType, PlatformEvent
from conversations import takeover
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from tenants.roles import Role
from tests.concurrency import at_once
from tests.pipeline import hold_answer_tasks

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.mark.parametrize("attempt", range(5))
def test_two_people_taking_over_at_once_leave_exactly_one_holder(chatting, staff, attempt):
    admin, support = staff[Role.ADMIN], staff[Role.SUPPORT]
    results = at_once(
        lambda: takeover.assign(chatting.pk, actor=admin).held_by_id,
        lambda: takeover.assign(chatting.pk, actor=support).held_by_id,
    )
    winner = Conversation.objects.get(pk=chatting.pk).held_by_id
    assert winner in (admin.pk, support.pk)
    assert sorted(map(str, results)) == sorted([str(winner), "held_by_other"])
    assert ConversationEvent.objects.filter(conversation=chatting, event_type="human_joined").count() == 1
    assert PlatformEvent.objects.filter(conversation_id=chatting.pk, event_type=EventType.TAKEN_OVER).count() == 1


@pytest.mark.parametrize("attempt", range(5))
def test_a_takeover_racing_the_agents_answer_gives_one_answer_or_none_and_nothing_waits(
    chatting, customer, support, engine, monkeypatch, attempt
):
    held = []
    hold_answer_tasks(monkeypatch, held.append)  # answered below, in a thread
    accepted = accept(InboundMessage(channel="chat", text="Anyone?", user_id=customer.pk), user=customer)
    results = at_once(
        held[-1].run,
        lambda: takeover.assign(chatting.pk, actor=support).held_by_id,
    )
    assert results[1] == support.pk
    conversation = Conversation.objects.get(pk=chatting.pk)
    assert conversation.answered_seq == conversation.last_inbound_seq and conversation.answer_lease is None
    assert Message.objects.filter(in_reply_to=accepted.message).count() <= 1
    seqs = list(ConversationEvent.objects.filter(conversation=chatting).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # gapless
