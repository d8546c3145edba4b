"""A person's erasure racing the messages still being written into their conversations (PostgreSQL, each side in
its own thread and connection): what is written while it runs is erased with the rest, never left behind."""

import threading
import time

from conversations.models import ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept, intake
from tenants.privacy.subject_requests import erase_person
from tenants.roles import Role
from tests.concurrency import in_thread, waiting_on_a_lock
from tests.factories import ConversationFactory, MessageFactory, UserFactory
from tests.pipeline import hold_answer_tasks

TEXT = "Call me on +1 415 555 0199"


def test_a_message_stored_while_the_erasure_runs_is_erased_with_the_rest(postgres_only, tenant, monkeypatch):
    hold_answer_tasks(monkeypatch)
    officer = UserFactory(tenant=tenant, role=Role.COMPLIANCE)
    person = UserFactory(tenant=tenant, role=Role.MEMBER)
    conversation = ConversationFactory(user=person, channel="chat")
    MessageFactory(conversation=conversation, text=TEXT)
    stored, go_on = threading.Event(), threading.Event()
    lease = intake.lease_with_message

    def stored_then_paused(*args):  # the message is written, its transaction not committed yet
        stored.set()
        go_on.wait(5)
        return lease(*args)

    monkeypatch.setattr(intake, "lease_with_message", stored_then_paused)
    inbound = InboundMessage(channel="chat", text=TEXT, user_id=person.pk, conversation_id=conversation.pk)
    writer = in_thread(lambda: accept(inbound, user=person))
    assert stored.wait(5)

    erasure = in_thread(lambda: erase_person(officer, person, reason="Asked by the person"))
    deadline = time.monotonic() + 3
    while erasure.is_alive() and not waiting_on_a_lock('"conversations_conversation"') and time.monotonic() < deadline:
        time.sleep(0.02)
    go_on.set()
    writer.join(10)
    erasure.join(10)

    assert not writer.is_alive() and not erasure.is_alive()
    kept = Message.objects.filter(conversation=conversation)
    assert kept.count() == 2
    assert {m.text for m in kept} == {"[Erased at the person's request]"}
    assert not ConversationEvent.objects.filter(conversation=conversation).exists()
