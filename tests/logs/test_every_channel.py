"""Issue 34, point 8: phones, emails and card numbers fed through every channel (a signed Twilio webhook, SendGrid's
inbound parse, the chat socket, the API) and answered by a real worker appear in no log line, of the web process
or the worker, at DEBUG; and the webhook's request id is on the log lines of the task that answers it."""

import json
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync

from conversations.models import Message
from conversations.services import open_conversation
from tests.fixtures.email import basic, parse_fields
from tests.fixtures.whatsapp import inbound_form, post_signed
from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.processes, pytest.mark.usefixtures("chat_db", "email_settings")]

PHONE, EMAIL, CARD = "+1 415 555 2671", "pat.jones@example.com", "4111 1111 1111 1111"
TEXT = f"Please call me at {PHONE} or write to {EMAIL}; my card is {CARD}."
SENDER_PHONE = "+14155550105"  # the WhatsApp member's (tests.fixtures.whatsapp.member_phone)
# Each as written and as a library might print it (digits only, URL-encoded).
WRITTEN = [PHONE, EMAIL, CARD, "4155552671", "4111111111111111", "pat.jones%40example.com", "14155550105"]


def worker_lines(path: Path) -> list[dict]:
    """The worker's log lines (its start-up banner is not logging and not JSON)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def settled(path: Path):
    """Every task the worker started has ended, and nothing new came for a moment."""
    seen = {"size": -1}

    def check():
        lines = worker_lines(path)
        started = sum(line["event"] == "task_started" for line in lines)
        ended = sum(line["event"] in ("task_succeeded", "task_failed", "task_retrying") for line in lines)
        size, seen["size"] = path.stat().st_size, path.stat().st_size
        return started and started == ended and size == seen["size"] and (time.sleep(1) or True)

    return check


def test_no_personal_data_in_any_log_line_and_the_webhooks_request_id_reaches_its_task(
    broker, start_worker, tmp_path, json_logs, client, api_as, open_tab, signing, number, member_phone, requester
):
    colleague = member_phone.user
    start_worker(LOG_FORMAT="json", LOG_LEVEL="debug")
    webhook = post_signed(client, "/channels/whatsapp/webhook", inbound_form(SENDER_PHONE, TEXT))
    assert webhook.status_code == 200, webhook.content
    email = client.post(
        "/channels/email/inbound", data=parse_fields(sender=requester.email, text=TEXT), HTTP_AUTHORIZATION=basic()
    )
    assert email.status_code == 200, email.content

    async def chat():
        connected, tab = await open_tab(colleague)
        assert connected
        await tab.next()  # history
        await tab.say(TEXT, "c1")
        await tab.until("message_received")
        await tab.close()

    async_to_sync(chat)()
    conversation = open_conversation(colleague, "api")
    api = api_as(colleague).post(f"/api/conversations/{conversation.pk}/messages/", {"message": TEXT}, format="json")
    assert api.status_code in (200, 201, 202), api.content

    inbound = Message.objects.filter(direction="inbound")
    assert sorted(inbound.values_list("channel", flat=True)) == ["api", "chat", "email", "whatsapp"]
    wait_for(
        lambda: Message.objects.filter(direction="outbound", in_reply_to__in=inbound).count() == 4,
        "the worker's four answers",
        timeout=120,
    )
    log = tmp_path / "worker-0.log"
    wait_for(settled(log), "the worker's sends", timeout=60)

    outputs = {"web": json_logs.text, "worker": log.read_text()}
    for where, text in outputs.items():
        for written in WRITTEN + [requester.email]:
            assert written not in text, f"{written!r} in the {where} log"
    assert "[phone]" in outputs["worker"] + outputs["web"]  # masked, not absent: the test saw them go by

    request_id = webhook["X-Request-ID"]
    lines = worker_lines(log)
    answer_started = [
        line for line in lines if line["event"] == "task_started" and line["task"].endswith("answer_message")
    ]
    assert len(answer_started) >= 4 and all(line.get("request_id") for line in answer_started)
    of_the_webhook = [line for line in lines if line.get("request_id") == request_id]
    assert {"task_started", "task_succeeded"} <= {line["event"] for line in of_the_webhook}
    assert {line["tenant_id"] for line in of_the_webhook} == {str(number.tenant_id)}
    web_lines = [line for line in json_logs.lines if line.get("request_id") == request_id]
    assert {"request_started", "task_enqueued", "request_finished"} <= {line["event"] for line in web_lines}
