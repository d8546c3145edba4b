"""POST /channels/whatsapp/webhook: signatures, parsing, tenants and senders, dedupe, the reply from the worker."""

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext

from analytics.models import EventType, PlatformEvent
from channels_app.whatsapp.models import WhatsAppContact, WhatsAppReceipt
from conversations.models import Conversation, Message
from tests.factories import PhoneFactory, TenantFactory, UserFactory
from tests.fixtures.whatsapp import TENANT_NUMBER, inbound_form, new_sid, post_signed, signature_for

WEBHOOK = "/channels/whatsapp/webhook"
# The phone with its user and its window's start (the tenant by number is cached), accept()'s ORM path; the window is
# written again only after a minute (channels_app.whatsapp.window).
BUDGET = 5
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
pytestmark = pytest.mark.django_db


def nothing_stored():
    return not Message.objects.exists() and not WhatsAppReceipt.objects.exists()


def test_a_verified_member_is_answered_from_the_worker_over_twilio(client, twilio, number, member_phone):
    form = inbound_form(member_phone.phone_number, "How is my Summer Sale campaign doing?")
    response = post_signed(client, WEBHOOK, form)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response></Response>")
    inbound = Message.objects.get(direction="inbound")
    assert inbound.channel_message_id == form["MessageSid"]
    assert inbound.conversation.user == member_phone.user and inbound.conversation.channel == "whatsapp"
    reply = Message.objects.get(direction="outbound")
    assert reply.status == "sent" and reply.channel_message_id.startswith("SM")
    [sent] = twilio.sent
    assert sent["To"] == "whatsapp:+14155550105" and sent["From"] == f"whatsapp:{TENANT_NUMBER}"
    assert sent["Body"] == reply.text
    assert sent["StatusCallback"] == "https://walker.example.com/channels/whatsapp/status"


@pytest.mark.parametrize("signature", ["", "forged+signature=", None])
def test_a_missing_or_forged_signature_is_403_and_stores_nothing(client, signing, number, member_phone, signature):
    form = inbound_form(member_phone.phone_number)
    if signature is None:  # signed with another account's token
        signature = signature_for(WEBHOOK, form, token="someone-elses-token")
    response = post_signed(client, WEBHOOK, form, signature=signature)
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"
    assert nothing_stored()


def test_a_signature_replayed_with_another_body_is_refused(client, signing, number, member_phone):
    form = inbound_form(member_phone.phone_number, "hello")
    signature = signature_for(WEBHOOK, form)
    tampered = {**form, "Body": "Raise the Summer Sale budget to $5000 a day"}
    assert post_signed(client, WEBHOOK, tampered, signature=signature).status_code == 403
    assert nothing_stored()


def test_a_replayed_request_is_answered_but_changes_nothing(client, signing, number, member_phone):
    form = inbound_form(member_phone.phone_number, "hello")
    assert post_signed(client, WEBHOOK, form).status_code == 200
    assert post_signed(client, WEBHOOK, form).status_code == 200
    assert Message.objects.filter(direction="inbound").count() == 1
    assert Message.objects.filter(direction="outbound").count() == 1


def test_the_signature_covers_the_public_https_url_behind_a_tls_proxy(client, signing, settings, number, member_phone):
    """Django sees http://internal:8000; Twilio signed https://walker.example.com/…?query."""
    settings.ALLOWED_HOSTS = ["internal"]
    path = f"{WEBHOOK}?tenant=acme"
    form = inbound_form(member_phone.phone_number)
    response = post_signed(client, path, form, signature=signature_for(path, form), HTTP_HOST="internal:8000")
    assert response.status_code == 200
    other = inbound_form(member_phone.phone_number)
    internal = signature_for(path, other, base="http://internal:8000")
    assert post_signed(client, path, other, signature=internal, HTTP_HOST="internal:8000").status_code == 403


def test_a_messaging_service_number_and_media_are_read(client, signing, number, member_phone):
    form = inbound_form(
        member_phone.phone_number,
        "",
        MessagingServiceSid="MG" + "2" * 32,
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    assert post_signed(client, WEBHOOK, form).status_code == 200
    inbound = Message.objects.get(direction="inbound")
    assert inbound.content_type == "image" and inbound.media_url.endswith("/ME1")
    assert "profile_name" not in inbound.metadata  # the sender's WhatsApp name is not kept (issue 29)


@pytest.mark.parametrize(
    "change, code",
    [
        ({"MessageSid": "nonsense"}, "bad_sid"),
        ({"From": "+14155550105"}, "bad_address"),
        ({"From": "whatsapp:12"}, "bad_address"),
        ({"To": "sms:+14155238886"}, "bad_address"),
        ({"NumMedia": "two"}, "bad_media"),
        ({"NumMedia": "1"}, "bad_media"),  # no MediaUrl0
        ({"NumMedia": "1", "MediaUrl0": "file:///etc/passwd"}, "bad_media"),
        ({"Body": "a\x00b"}, "bad_body"),
    ],
)
def test_a_malformed_payload_is_400_with_a_reason_and_stores_nothing(
    client, signing, number, member_phone, change, code
):
    form = {**inbound_form(member_phone.phone_number), **change}
    response = post_signed(client, WEBHOOK, form)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["detail"]
    assert nothing_stored()


def test_a_number_no_tenant_uses_is_404(client, signing, number, member_phone):
    response = post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, to="+14155550999"))
    assert response.status_code == 404
    assert nothing_stored()


def test_only_post(client, signing):
    assert client.get(WEBHOOK).status_code == 405


@pytest.mark.parametrize("verified", [False, None])
def test_an_unknown_or_unverified_phone_gets_one_polite_reply_and_an_event(client, twilio, number, colleague, verified):
    sender = "+14155550177"
    if verified is False:
        PhoneFactory(user=colleague, phone_number=sender, verified=False)
    twilio.sent.clear()  # the unverified number's code (template-less, so blocked: nothing went out)

    first = post_signed(client, WEBHOOK, inbound_form(sender, "hi"))
    again = post_signed(client, WEBHOOK, inbound_form(sender, "anyone there?"))

    assert first.status_code == again.status_code == 200
    assert not Conversation.objects.exists() and not Message.objects.exists()
    [reply] = twilio.sent  # one polite answer, not one per message
    assert reply["To"] == f"whatsapp:{sender}" and "Ask your Walker admin to add your number" in reply["Body"]
    events = PlatformEvent.objects.filter(event_type=EventType.UNKNOWN_SENDER, metadata__channel="whatsapp")
    assert events.count() == 2


def test_a_phone_verified_in_another_tenant_is_unknown_here(client, twilio, number, outsider):
    PhoneFactory(user=outsider, phone_number="+14155550188")
    assert post_signed(client, WEBHOOK, inbound_form("+14155550188", "hi")).status_code == 200
    assert not Message.objects.exists()
    assert "we don't know this phone" in twilio.sent[0]["Body"]


def test_the_tenant_comes_from_the_number_written_to(client, signing, number, tenant):
    """The same person's phone in two tenants: the number written to decides whose agents answer."""
    globex = TenantFactory(slug="globex2")
    from channels_app.whatsapp.models import WhatsAppSender

    WhatsAppSender.objects.create(tenant=globex, number="+14155238887")
    PhoneFactory(user=UserFactory(tenant=tenant), phone_number="+14155550190")
    theirs = PhoneFactory(user=UserFactory(tenant=globex), phone_number="+14155550190")
    assert post_signed(client, WEBHOOK, inbound_form("+14155550190", "hi", to="+14155238887")).status_code == 200
    assert Conversation.objects.get().user == theirs.user


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_message_store_it_once(postgres_only, settings, tenant, colleague):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "t" * 32, "https://walker.example.com"
    from channels_app.whatsapp.models import WhatsAppSender

    WhatsAppSender.objects.create(tenant=tenant, number=TENANT_NUMBER)
    PhoneFactory(user=colleague, phone_number="+14155550105")
    form = inbound_form("+14155550105", "hello", sid=new_sid())
    signature = signature_for(WEBHOOK, form, token="t" * 32)
    barrier, codes = threading.Barrier(6), []

    def deliver():
        barrier.wait()
        try:
            codes.append(post_signed(DjangoClient(), WEBHOOK, form, signature=signature).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 6
    assert Message.objects.filter(direction="inbound", channel_message_id=form["MessageSid"]).count() == 1
    assert Message.objects.filter(direction="outbound").count() == 1


def test_the_webhook_stays_within_its_query_budget(client, signing, number, member_phone):
    """The channel adds one statement to accept()'s: the sender's phone (with its user, so accept() does not look the
    sender up again, and when its window was written, which a message of the minute after leaves alone); accept()
    four, its locking read and three writes (conversations.pipeline.intake), on every database."""
    post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, "hello"))  # the conversation exists now
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            WEBHOOK, urlencode(form := inbound_form(member_phone.phone_number, "again")),
            content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=signature_for(WEBHOOK, form),
        )  # fmt: skip
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(CONTROL)]
    assert len(statements) <= BUDGET, statements
    assert response.status_code == 200


def test_a_burst_of_messages_writes_the_window_once_a_minute(client, signing, number, member_phone, time_machine):
    """Written with the first message and again a minute later: in between it closes at most a minute early."""
    phone, first = member_phone.phone_number, datetime(2026, 11, 2, 9, tzinfo=UTC)
    for text, seconds in (("hello", 0), ("and", 50), ("then", 70)):
        time_machine.move_to(first + timedelta(seconds=seconds), tick=False)
        assert post_signed(client, WEBHOOK, inbound_form(phone, text)).status_code == 200
        if seconds == 50:
            assert WhatsAppContact.objects.get(phone=phone).last_inbound_at == first
    assert WhatsAppContact.objects.get(phone=phone).last_inbound_at == first + timedelta(seconds=70)
    assert Message.objects.filter(direction="inbound").count() == 3


def test_the_senders_whatsapp_name_is_not_stored(client, twilio, number, member_phone):
    post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, "hello", ProfileName="Jane Q. Customer"))
    inbound = Message.objects.get(direction="inbound")
    assert "Jane Q" not in str(inbound.metadata)
    with connection.cursor() as cursor:
        cursor.execute("SELECT metadata FROM conversations_message WHERE id = %s", [inbound.pk.hex])
        assert "Jane Q" not in str(cursor.fetchone())


def test_a_queued_reply_names_the_contact_by_key_not_by_phone(client, broker, twilio, number):
    """The broker (Redis) holds the task until a worker takes it: no phone in clear in it (issue 29)."""
    import base64
    import json

    import redis
    from django.conf import settings

    from channels_app.whatsapp.tasks import send_reply

    sender = "+14155550188"
    assert post_signed(client, WEBHOOK, inbound_form(sender, "hi")).status_code == 200
    [queued] = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("answers", 0, -1)  # a reply: on `answers`
    envelope = json.loads(queued)
    args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
    for digits in ("4155550188", "415 555 0188", "415-555-0188"):
        assert digits not in queued.decode() and digits not in str(args)
    assert twilio.sent == []

    send_reply(*args, **kwargs)  # what the worker does with it
    [reply] = twilio.sent
    assert reply["To"] == f"whatsapp:{sender}" and "Ask your Walker admin" in reply["Body"]
