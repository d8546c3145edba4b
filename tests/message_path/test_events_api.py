"""GET /api/conversations/{id}/events/ and POST …/messages/?wait=: the API follows the chat protocol's events."""

import threading
import time

import pytest
from django.db import connections

from conversations.services import open_conversation
from tests.pipeline import hold_answer_tasks


@pytest.fixture
def held(monkeypatch, engine):
    """Answer tasks held back, as if every worker were busy; `release()` answers them in another thread."""
    tasks = []
    hold_answer_tasks(monkeypatch, tasks.append)

    def release(after_seconds=0.0):
        def answer():
            time.sleep(after_seconds)
            try:
                for task in tasks:
                    task.run()
            finally:
                connections.close_all()

        thread = threading.Thread(target=answer)
        thread.start()
        return thread

    return release


def post(client, conversation, text, query=""):
    return client.post(f"/api/conversations/{conversation.pk}/messages/{query}", {"message": text}, format="json")


def test_events_after_a_seq_are_the_stored_ones_in_order(live_db, api_as, colleague, engine):
    conversation = open_conversation(colleague, "api")
    client = api_as(colleague)
    first = post(client, conversation, "one").json()
    post(client, conversation, "two")
    body = client.get(f"/api/conversations/{conversation.pk}/events/?after=0").json()
    assert [(e["type"], e["seq"]) for e in body["events"]] == [
        ("message_received", 1),
        ("agent_response", 2),
        ("message_received", 3),
        ("agent_response", 4),
    ]
    assert body["seq"] == 4 and body["events"][0]["id"] == first["message"]["id"]
    after = client.get(f"/api/conversations/{conversation.pk}/events/?after=2").json()
    assert [e["seq"] for e in after["events"]] == [3, 4]
    assert client.get(f"/api/conversations/{conversation.pk}/events/?after=4").json() == {
        "conversation_id": str(conversation.pk),
        "seq": 4,
        "events": [],
    }


def test_a_long_poll_answers_when_the_next_event_is_stored(live_db, api_as, colleague, held):
    conversation = open_conversation(colleague, "api")
    client = api_as(colleague)
    accepted = post(client, conversation, "hello")
    assert accepted.status_code == 202 and accepted.json()["reply"] is None
    worker = held(after_seconds=0.5)
    started = time.monotonic()
    body = client.get(f"/api/conversations/{conversation.pk}/events/?after=1&wait=10").json()
    waited = time.monotonic() - started
    worker.join()
    assert [e["type"] for e in body["events"]] == ["agent_response"] and body["seq"] == 2
    assert 0.4 < waited < 5


@pytest.mark.slow
def test_a_long_poll_with_nothing_new_ends_empty_when_its_time_is_up(live_db, api_as, colleague, settings):
    settings.API_EVENTS_MAX_WAIT = 1  # a larger wait is capped
    conversation = open_conversation(colleague, "api")
    started = time.monotonic()
    body = api_as(colleague).get(f"/api/conversations/{conversation.pk}/events/?after=0&wait=30").json()
    assert body["events"] == [] and 0.9 < time.monotonic() - started < 5


def test_posting_with_wait_returns_the_reply_when_it_comes_in_time(live_db, api_as, colleague, held):
    conversation = open_conversation(colleague, "api")
    worker = held(after_seconds=0.3)
    response = post(api_as(colleague), conversation, "hello", "?wait=10")
    worker.join()
    assert response.status_code == 200
    body = response.json()
    assert body["reply"]["text"] == "Here is what I found." and body["message"]["text"] == "hello"


@pytest.mark.slow
def test_posting_with_a_wait_too_short_stores_and_answers_202(live_db, api_as, colleague, held):
    conversation = open_conversation(colleague, "api")
    response = post(api_as(colleague), conversation, "hello", "?wait=1")
    assert response.status_code == 202 and response.json()["reply"] is None
    held().join()
    assert conversation.messages.filter(direction="outbound").count() == 1  # nothing was lost


def test_another_tenants_conversation_is_404_and_a_colleagues_is_readable_by_staff(
    live_db, api_as, colleague, tenant_admin, outsider, engine
):
    conversation = open_conversation(colleague, "api")
    post(api_as(colleague), conversation, "hello")
    url = f"/api/conversations/{conversation.pk}/events/"
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(outsider).post(f"/api/conversations/{conversation.pk}/messages/", {"message": "x"}).status_code == 404
    assert len(api_as(tenant_admin).get(url).json()["events"]) == 2


def test_a_member_cannot_read_a_colleagues_events(live_db, api_as, colleague, requester, engine):
    conversation = open_conversation(colleague, "api")
    assert api_as(requester).get(f"/api/conversations/{conversation.pk}/events/").status_code == 404


@pytest.mark.parametrize("query", ["after=-1", "after=x", "wait=-2", "wait=1.5", "after=%00"])
def test_bad_after_or_wait_is_a_400(live_db, api_as, colleague, query):
    conversation = open_conversation(colleague, "api")
    response = api_as(colleague).get(f"/api/conversations/{conversation.pk}/events/?{query}")
    assert response.status_code == 400 and response.json()


def test_anonymous_callers_get_401_or_403(live_db, api_client, colleague):
    conversation = open_conversation(colleague, "api")
    assert api_client.get(f"/api/conversations/{conversation.pk}/events/").status_code in (401, 403)


def test_a_client_id_reused_in_another_conversation_of_the_same_channel_is_the_first_delivery(
    live_db, api_as, colleague, engine
):
    first, second = open_conversation(colleague, "chat"), open_conversation(colleague, "chat")
    client = api_as(colleague)
    body = {"message": "hi", "client_msg_id": "same"}
    stored = client.post(f"/api/conversations/{first.pk}/messages/", body, format="json").json()
    again = client.post(f"/api/conversations/{second.pk}/messages/", body, format="json")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["message"]["id"] == stored["message"]["id"] and second.messages.count() == 0
