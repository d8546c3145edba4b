import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.engines.base import EngineReply
from conversations.models import Conversation, Message
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from tests.factories import budget_action
from tests.pipeline import exchange


def start(user, text="How are my campaigns doing?", channel="chat"):
    return exchange(InboundMessage(channel=channel, text=text, user_id=user.pk)).conversation


def test_members_list_their_own_conversations_only(engine, api_as, colleague, tenant_admin, outsider):
    mine = start(colleague)
    start(tenant_admin)
    start(outsider)
    body = api_as(colleague).get("/api/conversations/").json()
    assert [c["id"] for c in body["results"]] == [str(mine.pk)]
    assert body["results"][0]["message_count"] == 2 and body["results"][0]["agent"] == "paid_ads"


def test_the_lists_count_reads_the_conversations_alone(engine, api_as, colleague):
    """Each row's messages are counted for the page's rows only: a join grouped by conversation made the page's count
    read every message of the tenant (bench/big_tenant_bench.py)."""
    start(colleague)
    with CaptureQueriesContext(connection) as captured:
        body = api_as(colleague).get("/api/conversations/").json()
    assert body["count"] == 1 and body["results"][0]["message_count"] == 2
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT")]
    assert counts and not [sql for sql in counts if "conversations_message" in sql]


def test_staff_list_the_whole_tenant_but_never_another(engine, api_as, colleague, tenant_admin, outsider):
    ids = {str(start(colleague).pk), str(start(tenant_admin).pk)}
    start(outsider)
    assert {c["id"] for c in api_as(tenant_admin).get("/api/conversations/").json()["results"]} == ids


def test_conversations_filter_by_channel_status_and_agent(engine, api_as, tenant_admin):
    chat = start(tenant_admin)
    email = start(tenant_admin, "which keywords moved?", channel="email")
    Conversation.objects.filter(pk=email.pk).update(status="closed")
    client = api_as(tenant_admin)

    def ids(query):
        return [c["id"] for c in client.get(f"/api/conversations/?{query}").json()["results"]]

    assert ids("channel=email") == [str(email.pk)]
    assert ids("status=open") == [str(chat.pk)]
    assert ids("agent=seo") == [str(email.pk)]
    assert client.get("/api/conversations/?channel=fax").status_code == 400


def test_a_conversation_shows_its_messages(engine, api_as, colleague):
    conversation = start(colleague)
    body = api_as(colleague).get(f"/api/conversations/{conversation.pk}/").json()
    assert [m["direction"] for m in body["messages"]] == ["inbound", "outbound"]
    assert body["messages"][1]["text"] == "Here is what I found."


def test_another_tenants_conversation_answers_404(engine, api_as, colleague, outsider):
    theirs = start(outsider)
    client = api_as(colleague)
    assert client.get(f"/api/conversations/{theirs.pk}/").status_code == 404
    response = client.post(f"/api/conversations/{theirs.pk}/messages/", {"message": "hi"}, format="json")
    assert response.status_code == 404
    assert theirs.messages.count() == 2


def test_staff_may_read_but_not_write_in_a_colleagues_conversation(engine, api_as, colleague, tenant_admin):
    theirs = start(colleague)
    client = api_as(tenant_admin)
    assert client.get(f"/api/conversations/{theirs.pk}/").status_code == 200
    response = client.post(f"/api/conversations/{theirs.pk}/messages/", {"message": "hi"}, format="json")
    assert response.status_code == 403


def test_posting_a_message_stores_it_and_the_answer_follows_as_an_event(
    engine, api_as, colleague, campaign, django_capture_on_commit_callbacks
):
    conversation = start(colleague)
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    client = api_as(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/conversations/{conversation.pk}/messages/",
            {"message": "Raise the Summer Sale budget to $700 a day", "client_msg_id": "c-1"},
            format="json",
        )
    assert response.status_code == 202
    body = response.json()
    assert body["conversation_id"] == str(conversation.pk) and body["duplicate"] is False
    assert body["message"]["text"] == "Raise the Summer Sale budget to $700 a day" and body["reply"] is None
    assert body["events_url"] == f"/api/conversations/{conversation.pk}/events/?after={body['seq']}"

    events = client.get(body["events_url"]).json()["events"]
    approval = HITLApproval.objects.get()
    assert [e["type"] for e in events] == ["agent_response"]
    assert events[0]["in_reply_to"] == body["message"]["id"] and events[0]["agent"] == "paid_ads"
    assert events[0]["actions"] == [
        {
            "summary": approval.action_summary,
            "status": "pending",
            "approval_id": str(approval.pk),
            "reference": approval.reference,
        }
    ]
    campaign.refresh_from_db()
    assert campaign.daily_budget == 500


def test_a_retried_post_with_the_same_client_id_is_stored_and_answered_once(
    engine, api_as, colleague, django_capture_on_commit_callbacks
):
    conversation = start(colleague)
    client = api_as(colleague)
    url = f"/api/conversations/{conversation.pk}/messages/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"message": "hi", "client_msg_id": "abc"}, format="json").json()
    again = client.post(url, {"message": "hi", "client_msg_id": "abc"}, format="json")
    assert again.status_code == 200  # the first one's reply is there: it comes back with the retry
    assert again.json()["duplicate"] is True and again.json()["message"]["id"] == first["message"]["id"]
    assert again.json()["reply"]["text"] == "Here is what I found."
    assert Message.objects.filter(conversation=conversation).count() == 4


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "hi", "agent": "astrology"}, "agent"),
        ({"message": "hi", "client_msg_id": "x" * 101}, "client_msg_id"),
    ],
)
def test_bad_posts_get_a_clear_400(engine, api_as, colleague, payload, field):
    conversation = start(colleague)
    response = api_as(colleague).post(f"/api/conversations/{conversation.pk}/messages/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert conversation.messages.count() == 2


def test_an_oversize_message_gets_a_400_with_its_code(engine, api_as, colleague):
    conversation = start(colleague)
    response = api_as(colleague).post(
        f"/api/conversations/{conversation.pk}/messages/", {"message": "x" * 4001}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "too_long",
        "detail": "Messages are limited to 4,000 characters; this one has 4,001.",
    }


def test_starting_a_conversation_with_a_first_message(engine, api_as, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(colleague).post(
            "/api/conversations/", {"channel": "api", "message": "which keywords moved?"}, format="json"
        )
    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "api" and [m["direction"] for m in body["messages"]] == ["inbound"]
    conversation = Conversation.objects.get(pk=body["id"])
    assert conversation.agent.agent_type == "seo" and conversation.messages.count() == 2  # answered by the worker


def test_starting_an_empty_conversation(engine, api_as, colleague):
    response = api_as(colleague).post("/api/conversations/", {"channel": "chat"}, format="json")
    assert response.status_code == 201 and response.json()["messages"] == []
    assert api_as(colleague).post("/api/conversations/", {"channel": "whatsapp"}, format="json").status_code == 400


def test_the_conversation_api_is_in_the_schema(api_client, db):
    paths = api_client.get("/api/schema/?format=json").json()["paths"]
    assert {
        "/api/conversations/",
        "/api/conversations/{id}/",
        "/api/conversations/{id}/messages/",
        "/api/conversations/{id}/events/",
    } <= set(paths)
