"""The admin console's live feed: who may listen, and which events reach whom.

Approval events are read from the approval history (channels_app.console.follow), whichever process wrote it.
"""

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from agents.models import AIAgent
from channels_app.console.consumer import ALL_TENANTS, ConsoleConsumer
from config.asgi import application
from hitl import console, history
from hitl.models import HITLApprovalHistory
from hitl.services.requests import request_approval
from tenants.identity.signin.sockets import person_group
from tenants.roles import Role
from tests.factories import CampaignFactory, ConversationFactory, MessageFactory, UserFactory, budget_action

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("live_db")]
TIMEOUT = 5


@pytest.fixture(autouse=True)
def _quick_reader(settings):
    settings.CONSOLE_POLL_SECONDS = 0.1  # so "nothing came within 0.3 s" means three looks found nothing


@database_sync_to_async
def record(approval, event):
    """An approval event as the services record it: a row of the approval's history."""
    history.log(approval, event, f"{event} in a test")


async def open_console(user=None, *, through_asgi=False, headers=None, query=""):
    communicator = WebsocketCommunicator(
        application if through_asgi else ConsoleConsumer.as_asgi(), f"/ws/console/{query}", headers=headers or []
    )
    if user is not None:
        communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def closed_with(communicator) -> int:
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close"
    return output["code"]


@database_sync_to_async
def file_approval(tenant, campaign="Summer Sale"):
    """A pending budget request of `tenant`, filed as the pipeline would."""
    campaign = CampaignFactory(tenant=tenant, name=campaign, daily_budget=Decimal("500.00"))
    return request_approval(
        tenant=tenant,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"),
        action=budget_action(campaign),
        requested_by=UserFactory(tenant=tenant, role=Role.MEMBER),
    )


def frame_of(approval, event, waiting=None):
    """The frame of an event; `waiting`: the listener's count of approvals waiting for their decision."""
    return {
        "type": "approval",
        "event": f"approval.{event}",
        "approval_id": str(approval.pk),
        "reference": approval.reference,
        "status": approval.status,
        "risk_level": approval.risk_level,
        "summary": approval.action_summary,
        "label": str(HITLApprovalHistory.Event(event).label),  # the listener's language: English here
        "status_label": approval.get_status_display(),
        "waiting": waiting,
    }


async def test_an_anonymous_socket_is_closed_with_4401():
    assert await closed_with(await open_console()) == 4401


async def test_a_deactivated_staff_user_is_closed_with_4401(approver):
    approver.is_active = False
    assert await closed_with(await open_console(approver)) == 4401


async def test_a_member_who_is_not_staff_is_closed_with_4403(colleague):
    assert not colleague.is_staff
    assert await closed_with(await open_console(colleague)) == 4403


async def test_an_approver_gets_the_events_of_their_tenant_and_never_another_tenants(approver, outsider, tenant):
    ours = await file_approval(tenant)
    theirs = await file_approval(outsider.tenant)
    mine, elsewhere = await open_console(approver), await open_console(outsider)

    await record(ours, "approved")
    assert await mine.receive_json_from(timeout=TIMEOUT) == frame_of(ours, "approved", waiting=1)
    await record(theirs, "rejected")
    assert await elsewhere.receive_json_from(timeout=TIMEOUT) == frame_of(theirs, "rejected", waiting=1)

    assert await mine.receive_nothing(timeout=0.3)
    assert await elsewhere.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await elsewhere.disconnect()


async def test_each_event_is_named_in_its_listeners_language(approver, second_approver, tenant):
    """The page's script shows the server's words (`label`); it has no names of its own."""
    second_approver.language = "es"
    await database_sync_to_async(second_approver.save)(update_fields=["language"])
    approval = await file_approval(tenant)
    english, spanish = await open_console(approver), await open_console(second_approver)
    await record(approval, HITLApprovalHistory.Event.EXECUTION_RETRIED)
    assert (await english.receive_json_from(timeout=TIMEOUT))["label"] == "Will run again"
    frame = await spanish.receive_json_from(timeout=TIMEOUT)
    assert (frame["label"], frame["status_label"]) == ("Se ejecutará de nuevo", "Pendiente")
    await english.disconnect()
    await spanish.disconnect()


async def test_a_new_approval_reaches_the_tenants_open_consoles_as_it_is_filed(approver, outsider, tenant):
    mine, elsewhere = await open_console(approver), await open_console(outsider)
    approval = await file_approval(tenant)
    frame = await mine.receive_json_from(timeout=TIMEOUT)
    assert (frame["event"], frame["reference"], frame["approval_id"]) == (
        "approval.created",
        approval.reference,
        str(approval.pk),
    )
    assert await elsewhere.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await elsewhere.disconnect()


@pytest.mark.slow
async def test_a_reminder_reaches_each_approvers_socket_once(approver, second_approver, tenant):
    """The SLA clock records the reminder (the feed's event) and sends each approver an in-app reminder (their
    notifications list): one frame per socket, not two."""
    from hitl.models import HITLApproval
    from hitl.services.sla import process_due

    approval = await file_approval(tenant)
    due = approval.requested_at
    await database_sync_to_async(HITLApproval.objects.filter(pk=approval.pk).update)(next_reminder_at=due)
    first, second = await open_console(approver), await open_console(second_approver)
    await database_sync_to_async(process_due)(due)
    for socket in (first, second):
        assert [frame["event"] for frame in await frames_until_quiet(socket)] == ["approval.reminder"]
        await socket.disconnect()


async def test_a_superuser_follows_every_tenant(superuser, tenant, other_tenant):
    ours, theirs = await file_approval(tenant), await file_approval(other_tenant)
    root = await open_console(superuser)
    await record(ours, "executed")
    await record(theirs, "expired")
    frames = [await root.receive_json_from(timeout=TIMEOUT) for _ in range(2)]
    assert [(f["approval_id"], f["event"]) for f in frames] == [
        (str(ours.pk), "approval.executed"),
        (str(theirs.pk), "approval.expired"),
    ]
    await root.disconnect()


async def test_whatever_the_browser_sends_is_ignored_and_the_socket_stays_open(approver, tenant):
    approval = await file_approval(tenant)
    socket = await open_console(approver)
    await socket.send_to(text_data="not json")
    await socket.send_to(bytes_data=b"\x00\xff")
    await socket.send_json_to({"type": "subscribe", "tenant_id": "someone-else"})
    assert await socket.receive_nothing(timeout=0.3)
    await record(approval, "escalated")
    assert await socket.receive_json_from(timeout=TIMEOUT) == frame_of(approval, "escalated", waiting=1)
    await socket.disconnect()


async def test_a_signed_in_admin_session_opens_the_feed_through_the_asgi_stack(approver, tenant, client):
    approval = await file_approval(tenant)
    await database_sync_to_async(client.force_login)(approver)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    headers = [(b"cookie", cookie), (b"origin", b"http://localhost"), (b"host", b"localhost")]
    socket = await open_console(through_asgi=True, headers=headers)
    await record(approval, "approved")
    assert await socket.receive_json_from(timeout=TIMEOUT) == frame_of(approval, "approved", waiting=1)
    await socket.disconnect()


async def test_without_a_session_the_asgi_stack_closes_with_4401():
    socket = await open_console(through_asgi=True, headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")])
    assert await closed_with(socket) == 4401


async def test_disconnect_leaves_the_group(approver, superuser, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}  # to look inside
    sockets = [await open_console(approver), await open_console(superuser)]
    layer = get_channel_layer()
    watched = {person_group(approver.pk), person_group(superuser.pk)}  # each closes when its sign-in ends
    assert set(layer.groups) == {console.console_group(approver.tenant_id), ALL_TENANTS, *watched}
    for socket in sockets:
        await socket.disconnect()
    assert all(not members for members in layer.groups.values())


@database_sync_to_async
def blocked_reply(tenant):
    """A WhatsApp reply that the 24-hour window forbids, blocked as the delivery task would."""
    from channels_app.whatsapp.deliver import block

    member = UserFactory(tenant=tenant, role=Role.MEMBER)
    conversation = ConversationFactory(user=member, channel="whatsapp")
    message = MessageFactory(conversation=conversation, direction="outbound", sender_type="agent", text="Hi")
    block(message, "outside the 24-hour window and the tenant has no approved template for replies")
    return conversation


async def test_a_blocked_whatsapp_reply_is_told_to_the_admins_who_can_fix_it(tenant, tenant_admin, approver):
    admin_console, approver_console = await open_console(tenant_admin), await open_console(approver)
    conversation = await blocked_reply(tenant)
    notice = await admin_console.receive_json_from(timeout=TIMEOUT)
    assert notice == {
        "type": "notice",
        "kind": "whatsapp_blocked",
        "text": "A WhatsApp reply was not sent: outside the 24-hour window and the tenant has no approved template "
        "for replies.",
        "link": f"/admin/conversations/conversation/{conversation.pk}/change/",
    }
    assert await approver_console.receive_nothing(timeout=0.3)
    await admin_console.disconnect()
    await approver_console.disconnect()


async def frames_until_quiet(socket) -> list[dict]:
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(await socket.receive_json_from())
    return frames


@pytest.mark.slow
async def test_each_approval_event_reaches_each_socket_once(approver, second_approver, tenant):
    """An approver is also sent in-app notifications of what the feed already shows them: created, decided,
    reminded, escalated; the feed carries each event once (issue 29: twice on each socket)."""
    from hitl.services.decisions import approve

    sockets = [await open_console(approver), await open_console(approver), await open_console(second_approver)]
    approval = await file_approval(tenant)
    await database_sync_to_async(approve)(approval.pk, actor=approver)
    for socket in sockets:
        events = [frame["event"] for frame in await frames_until_quiet(socket)]
        assert sorted(events) == ["approval.approved", "approval.created", "approval.executed"], events
        await socket.disconnect()


async def test_an_approval_filed_where_the_layer_does_not_reach_shows_with_the_approvers_count(
    approver, tenant, monkeypatch
):
    """The embedded default: requests are filed and run in a Celery worker, whose in-memory channel layer never
    reaches daphne's consoles (issue 30: no row, no toast, no count). The history is read wherever it was written."""
    from core import layer
    from hitl.services.decisions import approve

    monkeypatch.setattr(layer, "group_send", lambda group, message: None)  # the worker's layer reaches nobody here
    socket = await open_console(approver)
    first = await file_approval(tenant)
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert (frame["event"], frame["approval_id"], frame["waiting"]) == ("approval.created", str(first.pk), 1)
    await file_approval(tenant, "Winter Sale")
    assert (await socket.receive_json_from(timeout=TIMEOUT))["waiting"] == 2
    await database_sync_to_async(approve)(first.pk, actor=approver)
    counts = {frame["event"]: frame["waiting"] for frame in await frames_until_quiet(socket)}
    assert counts == {"approval.approved": 1, "approval.executed": 1}
    await socket.disconnect()


async def test_who_decides_nothing_gets_no_count(tenant):
    compliance = await database_sync_to_async(UserFactory)(tenant=tenant, role=Role.COMPLIANCE)
    socket = await open_console(compliance)
    approval = await file_approval(tenant)
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert (frame["approval_id"], frame["waiting"]) == (str(approval.pk), None)
    await socket.disconnect()


async def test_an_event_whose_transaction_commits_after_a_later_ones_is_not_lost(approver, tenant, postgres_only):
    """A row's time is when it was written: one that commits late is older than rows already shown."""
    import threading

    from django.db import connection, transaction

    slow, quick = await file_approval(tenant), await file_approval(tenant, "Winter Sale")
    socket = await open_console(approver)
    written, shown = threading.Event(), threading.Event()

    def slow_decision():
        try:
            with transaction.atomic():
                history.log(slow, "escalated", "written first, committed last")
                written.set()
                shown.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_decision)
    thread.start()
    await asyncio.to_thread(written.wait, 10)
    await record(quick, "approved")
    assert (await socket.receive_json_from(timeout=TIMEOUT))["approval_id"] == str(quick.pk)
    shown.set()
    await asyncio.to_thread(thread.join, 10)
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert (frame["approval_id"], frame["event"]) == (str(slow.pk), "approval.escalated")
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_the_last_console_to_close_stops_this_process_reader(approver, tenant_admin):
    from channels_app.console import follow

    sockets = [await open_console(approver), await open_console(tenant_admin)]
    reader = follow.reader()
    assert len(reader.listeners) == 2 and reader.task is not None
    await sockets[0].disconnect()
    assert reader.task is not None
    await sockets[1].disconnect()
    assert (reader.listeners, reader.task) == (set(), None)


@pytest.mark.slow
async def test_what_was_filed_while_the_page_loaded_reaches_its_socket_once(approver, second_approver, tenant):
    """The page says how long it has gone without the feed (`behind_ms`: since it was loaded, or since its socket
    dropped): what was filed in that time is sent, even when this process's reader had handed it to another
    console already. Without it, an event filed between the page's render and its socket's opening was lost
    until something else happened (the embedded default: the execution panel stood at "approved")."""
    already_open = await open_console(second_approver)
    approval = await file_approval(tenant)
    await record(approval, "escalated")
    assert [frame["event"] for frame in await frames_until_quiet(already_open)] == [
        "approval.created",
        "approval.escalated",
    ]

    loaded = await open_console(approver, query="?behind_ms=3000")
    events = [(frame["event"], frame.get("missed")) for frame in await frames_until_quiet(loaded)]
    assert events == [("approval.created", True), ("approval.escalated", True)]  # the page updates, no toast
    await record(approval, "approved")
    for socket in (loaded, already_open):
        assert [(frame["event"], frame.get("missed")) for frame in await frames_until_quiet(socket)] == [
            ("approval.approved", None)
        ]
        await socket.disconnect()


@pytest.mark.parametrize("query", ["", "?behind_ms=soon"])
async def test_a_socket_that_says_nothing_usable_gets_only_what_comes_after_it(approver, tenant, query):
    approval = await file_approval(tenant)
    socket = await open_console(approver, query=query)
    assert await socket.receive_nothing(timeout=0.3)
    await record(approval, "approved")
    assert (await socket.receive_json_from(timeout=TIMEOUT))["event"] == "approval.approved"
    await socket.disconnect()


async def test_a_socket_behind_longer_than_the_readers_window_gets_only_that_window(approver, tenant):
    """The reader looks back LOOKBACK; a longer absence (a laptop that slept) is not replayed beyond it."""
    from channels_app.console.follow import LOOKBACK

    now = timezone.now()
    with time_machine.travel(now - LOOKBACK - timedelta(seconds=5)):
        await file_approval(tenant)
    with time_machine.travel(now - LOOKBACK + timedelta(seconds=10)):
        recent = await file_approval(tenant, "Winter Sale")
    socket = await open_console(approver, query=f"?behind_ms={10**12}")
    assert [frame["approval_id"] for frame in await frames_until_quiet(socket)] == [str(recent.pk)]
    await socket.disconnect()
