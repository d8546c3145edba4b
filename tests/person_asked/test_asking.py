"""Asking for a person on every channel, in English and Spanish: the conversation waits for a person, the member is
told one will answer and roughly when, support is told once, and the agents go on answering until a person takes
over."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from agents.engines.base import EngineReply
from analytics.models import EventType, PlatformEvent
from conversations import takeover
from conversations.models import Conversation
from conversations.quiet import close_quiet_conversations
from conversations.tasks import tell_support
from core.sending import TransientSendError
from tests.person_asked.conftest import ASKS, say

CHANNELS = ["chat", "whatsapp", "email", "api"]
EVERY_ASK = [(language, text) for language, texts in ASKS.items() for text in texts]
MADRID = ZoneInfo("Europe/Madrid")
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=MADRID)
PROMISED = {"en": "A person from the team will answer you here", "es": "Una persona del equipo te responderá aquí"}


@pytest.fixture
def madrid(tenant):
    tenant.timezone = "Europe/Madrid"
    tenant.save(update_fields=["timezone"])
    return tenant


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language, text", EVERY_ASK)
def test_an_ask_on_any_channel_waits_for_a_person_and_says_so(member, madrid, staff, channel, language, text):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        result = say(member, text, channel=channel)
    assert result.conversation.person_requested_at == TUESDAY_MORNING
    assert PROMISED[language] in result.reply.text
    assert "Italian" not in result.reply.text and "didn't get that" not in result.reply.text


def test_the_member_is_told_roughly_when_during_business_hours(member, madrid, staff, settings):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        reply = say(member, "I want to talk to a human").reply.text
    assert "usually within 15 minutes" in reply
    assert "I can still help with questions meanwhile" in reply


def test_out_of_hours_the_member_is_told_when_the_team_is_back(member, madrid, staff):
    with time_machine.travel(SATURDAY, tick=False):
        english = say(member, "talk to a person").reply.text
        spanish = say(member, "quiero hablar con una persona", channel="whatsapp").reply.text
    assert "The team is back on Monday at 09:00 (Europe/Madrid)" in english
    assert "El equipo vuelve el lunes a las 09:00 (Europe/Madrid)" in spanish


def test_the_tenants_own_hours_count(member, madrid, staff):
    madrid.support_opens, madrid.support_closes, madrid.support_days = "08:00", "12:00", [0, 1, 2, 3, 4, 5]
    madrid.save(update_fields=["support_opens", "support_closes", "support_days"])
    with time_machine.travel(SATURDAY.replace(hour=9), tick=False):
        assert "usually within" in say(member, "talk to a person").reply.text
    with time_machine.travel(SATURDAY.replace(hour=13), tick=False):
        assert "back on Monday at 08:00" in say(member, "talk to a person", channel="api").reply.text


def test_support_and_admins_are_told_by_email_without_the_words(member, tenant, staff, other_tenant, outsider):
    say(member, "can someone from the team call me on +1 415 555 0142")
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == ["admin@acme.test", "support@acme.test"]  # who may take conversations over; not another tenant
    email = mail.outbox[0]
    assert "asked to talk to a person" in email.subject
    assert "/admin/conversations/conversation/" in email.body and "555 0142" not in email.body


def test_a_tenant_that_chose_slack_is_told_there(member, tenant, staff, slack_api, workspace):
    workspace.default_channel = "C0SUPPORT"
    workspace.save(update_fields=["default_channel"])
    tenant.support_notify_by = "slack"
    tenant.save(update_fields=["support_notify_by"])
    say(member, "quiero hablar con alguien")
    posts = [body for method, body, _ in slack_api.calls if method == "chat.postMessage"]
    assert len(posts) == 1 and posts[0]["channel"] == "C0SUPPORT"
    assert "asked to talk to a person" in posts[0]["text"] and "/admin/conversations/conversation/" in posts[0]["text"]
    assert mail.outbox == []


def test_asking_again_while_waiting_tells_support_once(member, staff):
    first = say(member, "talk to a person")
    waiting_since = first.conversation.person_requested_at
    again = say(member, "hello? I want to talk to a human")
    assert again.conversation.pk == first.conversation.pk
    assert again.conversation.person_requested_at == waiting_since
    assert len(mail.outbox) == 2  # support and the admin, once each
    assert "will answer you here" in again.reply.text  # the member is reassured all the same


def test_the_agents_keep_answering_meanwhile(member, staff, engine):
    engine.reply = EngineReply(text="Summer Sale: 120 clicks this week.")
    say(member, "I want to talk to a human")
    result = say(member, "How is my Summer Sale doing?")
    assert result.reply.text == "Summer Sale: 120 clicks this week."
    assert result.conversation.person_requested_at is not None  # still waiting for a person


def test_a_takeover_ends_the_wait_and_the_persons_reply_ends_the_ask(member, staff, support):
    conversation = say(member, "talk to a person").conversation
    takeover.assign(conversation.pk, actor=support)
    assert not Conversation.objects.waiting_for_person().filter(pk=conversation.pk).exists()
    takeover.reply(conversation.pk, actor=support, text="Hi, Support here. How can I help?")
    conversation.refresh_from_db()
    assert conversation.person_requested_at is None
    takeover.release(conversation.pk, actor=support)
    assert not Conversation.objects.waiting_for_person().filter(pk=conversation.pk).exists()


def test_handed_back_unanswered_it_waits_again_without_a_second_notice(member, staff, support):
    conversation = say(member, "talk to a person").conversation
    takeover.assign(conversation.pk, actor=support)
    takeover.release(conversation.pk, actor=support)
    assert Conversation.objects.waiting_for_person().filter(pk=conversation.pk).exists()
    say(member, "talk to a person")
    assert len(mail.outbox) == 2


def test_an_ask_while_a_person_holds_it_is_theirs_to_answer(member, staff, support):
    conversation = say(member, "How is my Summer Sale doing?").conversation
    takeover.assign(conversation.pk, actor=support)
    result = say(member, "I want to talk to a human")
    assert result.reply is None and result.conversation.person_requested_at is None
    assert mail.outbox == []


def test_resolving_ends_the_ask(member, staff, support):
    conversation = say(member, "talk to a person").conversation
    takeover.resolve(conversation.pk, actor=support)
    conversation.refresh_from_db()
    assert conversation.person_requested_at is None


def test_a_waiting_conversation_is_not_closed_for_being_quiet(member, staff, settings):
    conversation = say(member, "talk to a person").conversation
    later = conversation.last_message_at.timestamp() + (settings.SATISFACTION_QUIET_HOURS + 1) * 3600
    assert close_quiet_conversations(now=datetime.fromtimestamp(later, tz=ZoneInfo("UTC"))) == 0
    conversation.refresh_from_db()
    assert conversation.is_open


def test_slack_without_a_workspace_or_webhook_is_recorded_as_failed(member, tenant, staff):
    tenant.support_notify_by = "slack"
    tenant.save(update_fields=["support_notify_by"])
    result = say(member, "talk to a person")
    assert "will answer you here" in result.reply.text  # the member is told all the same
    failed = PlatformEvent.objects.get(event_type=EventType.NOTIFICATION_FAILED)
    assert failed.conversation_id == result.conversation.pk
    assert failed.metadata["channel"] == "slack" and "neither a Slack workspace" in failed.metadata["reason"]


def test_slack_down_is_retried(member, tenant, staff, slack_api, workspace):
    workspace.default_channel = "C0SUPPORT"
    workspace.save(update_fields=["default_channel"])
    tenant.support_notify_by = "slack"
    tenant.save(update_fields=["support_notify_by"])
    slack_api.fail("chat.postMessage", status=503)
    result = say(member, "talk to a person")  # eager: the first attempt's Retry is logged, the answer goes on
    assert "will answer you here" in result.reply.text
    tell_support.apply(args=[str(result.conversation.pk)])  # the retry
    posts = [body for method, body, _ in slack_api.calls if method == "chat.postMessage"]
    assert len(posts) == 2  # refused once, then posted by the retry
    assert not PlatformEvent.objects.filter(event_type=EventType.NOTIFICATION_FAILED).exists()
    tell_support.on_failure(
        TransientSendError("Slack answered 503"), "id", [str(result.conversation.pk), "slack"], {}, None
    )
    assert PlatformEvent.objects.get(event_type=EventType.NOTIFICATION_FAILED).metadata["reason"].startswith("gave up")


def test_support_hours_must_close_after_they_open(tenant):
    tenant.support_opens, tenant.support_closes, tenant.support_days = time(17), time(9), [0, 7]
    with pytest.raises(ValidationError) as refused:
        tenant.full_clean()
    assert set(refused.value.message_dict) == {"support_closes", "support_days"}


def test_the_chat_shows_the_wait_until_a_person_is_there(member, staff, support):
    """The widget had no waiting state (issue 50, point 2): the promise's frame says the wait began, and the history
    a page reloads says whether it goes on; a takeover, a person's reply or the close ends it."""
    from channels_app.chat import session
    from conversations.models import ConversationEvent
    from tenants.privacy.audit import Origin

    def answers(conversation):
        return ConversationEvent.objects.filter(conversation=conversation, event_type="agent_response").order_by("seq")

    conversation = say(member, "I want to talk to a human").conversation
    assert answers(conversation).last().payload["waiting_for_person"] is True
    assert session.history(conversation, reader=member, origin=Origin())["waiting_for_person"] is True
    say(member, "How is my Summer Sale doing?")
    assert "waiting_for_person" not in answers(conversation).last().payload  # an ordinary answer says nothing of it
    takeover.assign(conversation.pk, actor=support)
    conversation.refresh_from_db()
    assert session.history(conversation, reader=member, origin=Origin())["waiting_for_person"] is False
