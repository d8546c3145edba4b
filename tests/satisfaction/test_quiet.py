"""The beat job: a conversation only the agents answered, quiet for SATISFACTION_QUIET_HOURS since their answer, is
closed and its person asked for a rating; anything a person or an approval still waits on is left open."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from analytics.models import EventType, PlatformEvent
from conversations import takeover
from conversations.models import Conversation, ConversationEvent, SatisfactionSurvey
from conversations.normalized import InboundMessage
from conversations.quiet import close_quiet_conversations
from tests.pipeline import exchange


def talk(customer, channel="chat"):
    return exchange(
        InboundMessage(channel=channel, text="How is my Summer Sale doing?", user_id=customer.pk)
    ).conversation


def quiet_for(conversation, hours, minutes=0):
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=timezone.now() - timedelta(hours=hours, minutes=minutes)
    )


def run():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return close_quiet_conversations()


def test_a_quiet_answered_conversation_is_closed_and_its_person_asked(engine, customer, settings):
    settings.SATISFACTION_QUIET_HOURS = 2
    conversation = talk(customer)
    assert conversation.answered_seq > 0
    quiet_for(conversation, 2, 1)

    assert run() == 1
    conversation.refresh_from_db()
    assert conversation.status == "closed" and conversation.held_by is None
    closed = PlatformEvent.objects.get(event_type=EventType.CONVERSATION_CLOSED, conversation_id=conversation.pk)
    assert closed.metadata["reason"] == "idle"
    survey = SatisfactionSurvey.objects.get(conversation=conversation)
    assert (survey.channel, survey.score) == ("chat", None)
    assert ConversationEvent.objects.filter(conversation=conversation, event_type="satisfaction_asked").exists()
    assert run() == 0  # closed once, asked once


def test_what_someone_still_waits_on_stays_open(engine, customer, support, settings):
    settings.SATISFACTION_QUIET_HOURS = 2
    fresh = talk(customer)
    quiet_for(fresh, 1, 59)
    held = talk(customer, "api")
    takeover.assign(held.pk, actor=support)
    quiet_for(held, 5)
    unanswered = Conversation.objects.create(tenant=customer.tenant, user=customer, channel="email",
                                             last_inbound_seq=1, answered_seq=0)  # fmt: skip
    quiet_for(unanswered, 5)
    waiting = Conversation.objects.create(tenant=customer.tenant, user=customer, channel="whatsapp",
                                          last_inbound_seq=3, answered_seq=2)  # fmt: skip
    quiet_for(waiting, 5)
    approval = Conversation.objects.create(tenant=customer.tenant, user=customer, channel="chat", answered_seq=1,
                                           last_inbound_seq=1, status=Conversation.Status.WAITING_APPROVAL)  # fmt: skip
    quiet_for(approval, 5)

    assert run() == 0
    assert not Conversation.objects.filter(status="closed").exists()
    assert not SatisfactionSurvey.objects.exists()


def test_a_conversation_resolved_by_support_is_not_asked_again_by_the_job(engine, customer, support):
    conversation = talk(customer)
    takeover.assign(conversation.pk, actor=support)
    takeover.resolve(conversation.pk, actor=support)
    quiet_for(conversation, 10)
    assert run() == 0
    assert SatisfactionSurvey.objects.count() == 1
