"""Personal data through the API: masked as the admin masks it, revealed only with view_pii and a reason,
and every read recorded (a list read once, naming what it listed)."""

import pytest
from channels.testing import WebsocketCommunicator

from channels_app.console.consumer import ConsoleConsumer
from conversations import events
from tenants.models import AccessLog
from tenants.roles import Role
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory

TEXT = "Call me on +1 415 555 0199 or mail jane.doe@example.com"
PHONE, EMAIL = "415 555 0199", "jane.doe@example.com"


@pytest.fixture
def people(tenant):
    return {role: UserFactory(tenant=tenant, role=role, email=f"{role}.person@acme.test") for role in Role.values}


@pytest.fixture
def talk(tenant, colleague):
    conversation = ConversationFactory(user=colleague, channel="api")
    message = MessageFactory(conversation=conversation, text=TEXT)
    events.publish(conversation.pk, events.EventKind.MESSAGE_RECEIVED, id=str(message.pk), text=TEXT)
    return conversation


def detail(api_as, user, conversation, query=""):
    return api_as(user).get(f"/api/conversations/{conversation.pk}/{query}")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT, Role.COMPLIANCE])
def test_staff_read_a_colleagues_conversation_masked_and_the_read_is_recorded(api_as, people, talk, role):
    response = detail(api_as, people[role], talk)
    body = response.content.decode()
    assert response.status_code == 200
    assert PHONE not in body and EMAIL not in body and "colleague@acme.test" not in body
    assert "[email]" in body and "[phone]" in body and response.json()["user"] == "c•••@acme.test"
    record = AccessLog.objects.get()
    assert (record.actor, record.action, record.sensitivity, record.object_id) == (
        people[role],
        "viewed",
        "normal",
        str(talk.pk),
    )


def test_the_person_reads_their_own_conversation_as_they_wrote_it(api_as, colleague, talk):
    body = detail(api_as, colleague, talk).json()
    assert body["messages"][0]["text"] == TEXT and body["user"] == "colleague@acme.test"
    assert AccessLog.objects.get().actor == colleague


def test_a_reveal_needs_a_reason(api_as, people, talk):
    response = detail(api_as, people[Role.COMPLIANCE], talk, "?reveal=1")
    assert response.status_code == 400 and "reason" in response.json()
    assert not AccessLog.objects.exists()


def test_an_empty_reveal_is_refused_not_read_as_no(api_as, people, talk):
    response = detail(api_as, people[Role.COMPLIANCE], talk, "?reveal=&reason=checking")
    assert response.status_code == 400 and "reveal" in response.json()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT])
def test_a_reveal_without_view_pii_is_refused(api_as, people, talk, role):
    response = detail(api_as, people[role], talk, "?reveal=1&reason=checking")
    assert response.status_code == 403 and response.json()["code"] == "pii_forbidden"
    assert not AccessLog.objects.exists()


def test_compliance_reveals_with_a_reason_recorded_high(api_as, people, talk):
    body = detail(api_as, people[Role.COMPLIANCE], talk, "?reveal=1&reason=subject+access+request").json()
    assert body["messages"][0]["text"] == TEXT and body["user"] == "colleague@acme.test"
    record = AccessLog.objects.get()
    assert (record.action, record.sensitivity, record.reason) == ("pii_accessed", "high", "subject access request")


def test_a_list_read_writes_one_record_naming_the_conversations_listed(api_as, people, talk, tenant, colleague):
    other = ConversationFactory(user=colleague)
    response = api_as(people[Role.SUPPORT]).get("/api/conversations/?page_size=200")
    assert response.status_code == 200
    assert [r["user"] for r in response.json()["results"]] == ["c•••@acme.test", "c•••@acme.test"]
    record = AccessLog.objects.get()
    assert (record.object_id, set(record.object_ids)) == ("list", {str(talk.pk), str(other.pk)})
    assert record.object_repr == "List of 2 conversations"


def test_an_empty_list_records_nothing(api_as, people):
    assert api_as(people[Role.SUPPORT]).get("/api/conversations/").json()["results"] == []
    assert not AccessLog.objects.exists()


def test_events_are_masked_for_staff_and_whole_for_the_person(api_as, people, colleague, talk):
    staff_frames = api_as(people[Role.SUPPORT]).get(f"/api/conversations/{talk.pk}/events/").json()["events"]
    assert PHONE not in str(staff_frames) and "[email]" in staff_frames[0]["text"]
    own_frames = api_as(colleague).get(f"/api/conversations/{talk.pk}/events/").json()["events"]
    assert own_frames[0]["text"] == TEXT
    assert AccessLog.objects.filter(object_id=str(talk.pk)).count() == 2


def test_messages_posted_through_the_api_come_back_whole_to_their_writer(api_as, colleague, talk):
    response = api_as(colleague).post(f"/api/conversations/{talk.pk}/messages/", {"message": TEXT}, format="json")
    assert response.status_code == 202 and response.json()["message"]["text"] == TEXT


def approval_event(tenant, summary):
    """An approval of `tenant` summarised as `summary`, and its "created" event (what the console feed reads)."""
    from hitl import history

    approval = HITLApprovalFactory(tenant=tenant, action_summary=summary)
    history.log(approval, "created", "Requested")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("role, masked", [(Role.APPROVER, True), (Role.COMPLIANCE, False)])
async def test_console_frames_are_masked_without_view_pii(tenant, role, masked):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)(tenant=tenant, role=role)
    socket = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
    socket.scope["user"] = user
    assert (await socket.connect(timeout=3))[0]
    await sync_to_async(approval_event)(tenant, f"Email {EMAIL} about the sale")
    frame = await socket.receive_json_from(timeout=3)
    assert (EMAIL not in frame["summary"]) is masked
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_members_cannot_follow_the_console(tenant):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)(tenant=tenant, role=Role.MEMBER)
    socket = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
    socket.scope["user"] = user
    await socket.connect(timeout=3)
    assert (await socket.receive_output(timeout=3))["code"] == 4403


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_support_follows_the_console_for_takeovers_but_hears_no_approval(tenant, settings):
    """Support watches conversations (takeover notices, tests/takeover) and does not review approvals."""
    from asgiref.sync import sync_to_async

    settings.CONSOLE_POLL_SECONDS = 0.1
    user = await sync_to_async(UserFactory)(tenant=tenant, role=Role.SUPPORT)
    socket = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
    socket.scope["user"] = user
    assert (await socket.connect(timeout=3))[0]
    await sync_to_async(approval_event)(tenant, f"Email {EMAIL}")
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
