"""The takeover API: who may, what it answers for bad input and wrong states, and what the customer sees."""

import pytest

from agents.engines import get_engine
from conversations.models import Conversation, ConversationEvent, ConversationNote, Message
from hitl.models import HITLApproval
from tenants.roles import Role
from tests.factories import AudienceSegmentFactory, CampaignFactory
from tests.takeover.conftest import say


def url(conversation, step):
    return f"/api/conversations/{conversation.pk}/{step}/"


@pytest.mark.parametrize(
    "role, status",
    [(Role.ADMIN, 200), (Role.SUPPORT, 200), (Role.COMPLIANCE, 403), (Role.APPROVER, 404), (Role.MEMBER, 404)],
)
def test_taking_over_by_role(api_as, chatting, staff, role, status):
    response = api_as(staff[role]).post(url(chatting, "assign"), {}, format="json")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["held_by"] == {"id": str(staff[role].pk), "name": f"{role.label} Smith"}
    else:
        assert Conversation.objects.get(pk=chatting.pk).held_by is None


def test_another_tenants_conversation_is_404_and_a_superuser_is_403(api_as, chatting, outsider, superuser):
    assert api_as(outsider).post(url(chatting, "assign"), {}, format="json").status_code == 404
    response = api_as(superuser).post(url(chatting, "assign"), {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "detail": "You may not take over and answer this conversation."}


def test_assigning_to_a_colleague_and_to_people_who_may_not(api_as, chatting, staff, support):
    client = api_as(support)
    admin = staff[Role.ADMIN]
    response = client.post(url(chatting, "assign"), {"user": str(admin.pk)}, format="json")
    assert response.status_code == 200 and response.json()["held_by"]["id"] == str(admin.pk)
    for person in (staff[Role.APPROVER], staff[Role.COMPLIANCE], staff[Role.MEMBER]):
        response = client.post(url(chatting, "assign"), {"user": str(person.pk)}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "ineligible_assignee"
    response = client.post(url(chatting, "assign"), {"user": "not-an-id"}, format="json")
    assert response.status_code == 400 and "user" in response.json()
    assert Conversation.objects.get(pk=chatting.pk).held_by == admin


def test_taking_over_what_a_colleague_holds_is_a_conflict(api_as, chatting, staff, support):
    api_as(support).post(url(chatting, "assign"), {}, format="json")
    response = api_as(staff[Role.ADMIN]).post(url(chatting, "assign"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "held_by_other"
    assert "Support Smith" in response.json()["detail"]


def test_replying_needs_the_hold(api_as, chatting, support):
    """Decided: a reply never takes the conversation over implicitly; take it over first (409 otherwise)."""
    client = api_as(support)
    response = client.post(url(chatting, "replies"), {"text": "Hello"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_held"
    client.post(url(chatting, "assign"), {}, format="json")
    response = client.post(url(chatting, "replies"), {"text": "Hello, Support here."}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sender_type"], body["name"], body["text"]) == ("human", "Support Smith", "Hello, Support here.")


@pytest.mark.parametrize("step", ["replies", "notes"])
@pytest.mark.parametrize(
    "body, code",
    [({"text": "   "}, None), ({}, None), ({"text": 42}, None), ({"text": "x" * 4001}, "too_long")],
)
def test_bad_text_is_a_400_and_stores_nothing(api_as, chatting, support, step, body, code):
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    messages, notes = Message.objects.count(), ConversationNote.objects.count()
    response = client.post(url(chatting, step), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json().get("code") == code if code else "text" in response.json()
    assert (Message.objects.count(), ConversationNote.objects.count()) == (messages, notes)


def test_release_and_resolve_answer_the_conversation_or_a_conflict(api_as, chatting, support):
    client = api_as(support)
    assert client.post(url(chatting, "release")).json()["code"] == "not_held"
    client.post(url(chatting, "assign"), {}, format="json")
    released = client.post(url(chatting, "release"))
    assert released.status_code == 200 and released.json()["held_by"] is None
    resolved = client.post(url(chatting, "resolve"))
    assert resolved.status_code == 200 and resolved.json()["status"] == "closed"
    again = client.post(url(chatting, "resolve"))
    assert again.status_code == 409 and again.json()["code"] == "closed"


def test_notes_never_reach_the_customer(api_as, chatting, customer, support):
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    response = client.post(url(chatting, "notes"), {"text": "Angry customer, call +1 415 555 0199"}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == "Support Smith"
    note = ConversationNote.objects.get()
    assert "555" not in note.sealed_text and note.text.endswith("+1 415 555 0199")  # sealed like messages
    mine = api_as(customer)
    detail = mine.get(f"/api/conversations/{chatting.pk}/").content.decode()
    events = mine.get(f"/api/conversations/{chatting.pk}/events/").content.decode()
    for seen in (detail, events):  # the number whole: "0199" alone can be a timestamp's microseconds
        assert "Angry" not in seen and "555 0199" not in seen
    assert not ConversationEvent.objects.filter(payload__icontains="Angry").exists()
    assert "note" not in {e.event_type for e in ConversationEvent.objects.filter(conversation=chatting)}


def test_the_customer_reads_the_reply_with_its_authors_name(api_as, chatting, customer, support):
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    client.post(url(chatting, "replies"), {"text": "I'm on it."}, format="json")
    detail = api_as(customer).get(f"/api/conversations/{chatting.pk}/").json()
    last = detail["messages"][-1]
    assert (last["sender_type"], last["name"], last["text"]) == ("human", "Support Smith", "I'm on it.")
    assert detail["held_by"]["name"] == "Support Smith"
    events = api_as(customer).get(f"/api/conversations/{chatting.pk}/events/").json()["events"]
    kinds = [(e["type"], e.get("name")) for e in events]
    assert ("human_joined", "Support Smith") in kinds and ("human_reply", "Support Smith") in kinds
    assert "support@acme.test" not in str(events)


def test_suggest_runs_the_agent_and_stores_nothing(api_as, chatting, customer, support, engine):
    say(customer, "Can you raise my budget?")
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    before = (
        Message.objects.count(),
        ConversationEvent.objects.count(),
        HITLApproval.objects.count(),
        Conversation.objects.values_list("event_seq", "answered_seq").get(pk=chatting.pk),
    )
    engine.reply.text = "Sure, I can raise it to $700 a day."
    response = client.post(url(chatting, "suggest"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"] == "Sure, I can raise it to $700 a day."
    assert engine.requests[-1].text == "Can you raise my budget?"
    assert body["in_reply_to"] == str(Message.objects.filter(direction="inbound").latest("created_at").pk)
    after = (
        Message.objects.count(),
        ConversationEvent.objects.count(),
        HITLApproval.objects.count(),
        Conversation.objects.values_list("event_seq", "answered_seq").get(pk=chatting.pk),
    )
    assert after == before


def test_suggest_is_for_those_who_may_handle(api_as, chatting, staff):
    assert api_as(staff[Role.COMPLIANCE]).post(url(chatting, "suggest")).status_code == 403


@pytest.mark.parametrize("step", ["release", "resolve"])
def test_a_colleague_may_not_end_a_hold_but_an_admin_may(api_as, chatting, staff, support, support2, step):
    """Issue 29: support2 could hand back a conversation support held; through the API as through the console."""
    api_as(support).post(url(chatting, "assign"), {}, format="json")
    refused = api_as(support2).post(url(chatting, step))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "Support Smith holds this conversation" in refused.json()["detail"]
    passed_on = api_as(support2).post(url(chatting, "assign"), {"user": str(support2.pk)}, format="json")
    assert passed_on.status_code == 409 and passed_on.json()["code"] == "held_by_other"
    passed_on = api_as(support2).post(url(chatting, "assign"), {"user": str(staff[Role.ADMIN].pk)}, format="json")
    assert passed_on.status_code == 403 and passed_on.json()["code"] == "forbidden"
    conversation = Conversation.objects.get(pk=chatting.pk)
    assert (conversation.held_by, conversation.is_open) == (support, True)

    done = api_as(staff[Role.ADMIN]).post(url(chatting, step))
    assert done.status_code == 200 and done.json()["held_by"] is None


@pytest.fixture
def builtin_engine(engine, monkeypatch):
    """The tenant's own engine (the built-in one) instead of the scripted one."""
    monkeypatch.setattr("conversations.pipeline.answering.get_engine", get_engine)


NO_SUGGESTION = "No suggestion for this message: the agent could not work out an answer. Write your own reply."


def test_suggest_gives_no_suggestion_when_the_engine_does_not_understand(
    api_as, chatting, customer, support, builtin_engine
):
    """Issue 30: the built-in engine's "Sorry, I didn't get that" was offered as the reply to send."""
    say(customer, "banana")
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    body = client.post(url(chatting, "suggest")).json()
    assert (body["text"], body["notice"], body["would_propose"]) == (None, NO_SUGGESTION, [])


def test_suggest_gives_no_suggestion_when_the_engine_fails(api_as, chatting, customer, support, engine):
    """Issue 30: an engine error offered FALLBACK_REPLY ("Sorry, I couldn't work that out…") as the reply."""
    say(customer, "Can you raise my budget?")
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    engine.error = RuntimeError("the model is down")
    response = client.post(url(chatting, "suggest"))
    assert response.status_code == 200, response.content
    assert (response.json()["text"], response.json()["notice"]) == (None, NO_SUGGESTION)


def test_suggest_from_the_built_in_engine_answers_a_question_with_the_conversation(
    api_as, chatting, customer, support, builtin_engine
):
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    body = client.post(url(chatting, "suggest")).json()
    assert body["notice"] is None and body["text"] and "didn't get that" not in body["text"]


@pytest.mark.parametrize(
    "text",
    [
        "publish the purple unicorn guide",
        "publica la guía 'Unicornio Morado'",
        "create a lookalike of Moon Walkers",
    ],
)
def test_suggest_gives_no_suggestion_when_the_engine_cannot_find_what_was_named(
    api_as, chatting, customer, support, builtin_engine, tenant, text
):
    """Issue 50: "I can't find a piece called 'what should we'" was offered to support as the reply to send."""
    CampaignFactory(tenant=tenant, name="Summer Sale")
    AudienceSegmentFactory(tenant=tenant, name="Trail Runners")
    say(customer, text)
    client = api_as(support)
    client.post(url(chatting, "assign"), {}, format="json")
    body = client.post(url(chatting, "suggest")).json()
    assert (body["text"], body["notice"]) == (None, NO_SUGGESTION)
