"""The worker's written-out reads give what the ORM's select_related and ordered slice give, on any database."""

from agents.models import AIAgent
from conversations.models import Conversation, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept, answer_reads
from conversations.services import open_conversation
from tests.pipeline import hold_answer_tasks


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_conversation_with_its_people_is_the_orms(db, colleague, monkeypatch):
    hold_answer_tasks(monkeypatch)
    conversation = open_conversation(colleague, "chat")
    agent = AIAgent.objects.filter(is_system_agent=True).first()
    Conversation.objects.filter(pk=conversation.pk).update(agent=agent, metadata={"source": "widget"})
    read = answer_reads.conversation_with_people(str(conversation.pk))
    orm = Conversation.objects.select_related("tenant", "user", "agent").get(pk=conversation.pk)
    assert fields(read) == fields(orm) and read.metadata == {"source": "widget"}
    assert fields(read.tenant) == fields(orm.tenant) and fields(read.user) == fields(orm.user)
    assert read.user.email == colleague.email  # decrypted as the ORM decrypts it
    assert (fields(read.agent) if agent else None) == (fields(orm.agent) if agent else None)


def test_no_agent_yet_and_no_conversation(db, colleague):
    conversation = open_conversation(colleague, "chat")
    assert answer_reads.conversation_with_people(conversation.pk).agent is None
    assert answer_reads.conversation_with_people("00000000-0000-0000-0000-000000000000") is None


def test_the_latest_messages_are_the_orms_newest_first(db, colleague, monkeypatch):
    hold_answer_tasks(monkeypatch)
    for n in range(5):
        text = f"message {n}, call +1 415 555 01{n:02d}"  # sealed: read back as written
        accept(InboundMessage(channel="chat", text=text, user_id=colleague.pk), user=colleague)
    conversation = Conversation.objects.get(user=colleague)
    read = answer_reads.latest_messages(conversation, 3)
    orm = list(Message.objects.filter(conversation=conversation).order_by("-created_at")[:3])
    assert [fields(m) for m in read] == [fields(m) for m in orm]
    assert [m.text for m in read] == [f"message {n}, call +1 415 555 01{n:02d}" for n in (4, 3, 2)]
    assert all(m.conversation is conversation for m in read)
