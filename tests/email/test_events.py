"""Point 6: SendGrid's signed Event Webhook moves the log, the notification and the message forward only."""

import base64
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from analytics.models import EmailDeliveryLog
from briefs.services import send_due_briefs
from conversations.models import Message
from hitl.models import HITLNotification
from tenants.models import UndeliverableAddress
from tests.email.test_inbound import QUESTION, inbound
from tests.factories import EmailPreferenceFactory, UserFactory


@pytest.fixture
def notification_email(ask, workflow, approver, sendgrid, django_capture_on_commit_callbacks):
    workflow(notification_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        ask()
    row = HITLNotification.objects.get(channel="email")
    return row, EmailDeliveryLog.objects.get(reference=f"notification:{row.pk}")


def event(log, kind, **extra):
    fields = {"walker_log": str(log.pk), "email": log.to_address, "event": kind, "timestamp": int(time.time())}
    return {**fields, "sg_event_id": f"{kind}-{log.pk}", "sg_message_id": f"{log.message_id}.filter", **extra}


def test_delivered_open_and_click_reach_the_log_and_the_notification(notification_email, post_events):
    row, log = notification_email
    args = {"walker_notification": str(row.pk)}
    response = post_events([event(log, "processed", **args), event(log, "delivered", **args)])
    assert response.status_code == 200 and response.json() == {"applied": 2}
    row.refresh_from_db()
    log.refresh_from_db()
    assert (row.status, log.status) == ("delivered", "delivered") and row.delivered_at and log.delivered_at
    post_events([event(log, "open", **args), event(log, "click", **args)])
    log.refresh_from_db()
    assert log.status == "clicked" and log.opened_at and log.clicked_at


def test_statuses_never_move_backwards(notification_email, post_events):
    row, log = notification_email
    args = {"walker_notification": str(row.pk)}
    post_events([event(log, "open", **args)])
    post_events([event(log, "delivered", **args), event(log, "processed", **args), event(log, "deferred", **args)])
    log.refresh_from_db()
    row.refresh_from_db()
    assert log.status == "opened" and row.status == "delivered"


def test_a_hard_bounce_marks_the_address_and_the_approver_hears_elsewhere(
    notification_email, post_events, ask, sendgrid, approver, django_capture_on_commit_callbacks
):
    row, log = notification_email
    bounce = event(log, "bounce", type="bounce", status="5.1.1", reason="550 no such user")
    with django_capture_on_commit_callbacks(execute=True):
        post_events([{**bounce, "walker_notification": str(row.pk)}])
    row.refresh_from_db()
    log.refresh_from_db()
    assert row.status == "failed" and "550 no such user" in row.failure_reason
    assert log.status == "bounced" and log.bounced_at and "5.1.1" in log.failure_reason
    assert UndeliverableAddress.objects.get(email=approver.email).reason == "bounce"
    assert HITLNotification.objects.get(channel="in_app", recipient=approver).status == "delivered"
    sent_before = len(sendgrid.mails)
    with django_capture_on_commit_callbacks(execute=True):
        ask(amount="800.00")  # the next approval: no email is attempted
    assert len(sendgrid.mails) == sent_before


def test_a_soft_bounce_does_not_mark_the_address(notification_email, post_events):
    _, log = notification_email
    post_events([event(log, "bounce", type="blocked", reason="mailbox full")])
    assert not UndeliverableAddress.objects.exists()


def test_a_spam_report_marks_the_address(notification_email, post_events, approver):
    _, log = notification_email
    post_events([event(log, "spamreport")])
    assert UndeliverableAddress.objects.get(email=approver.email).reason == "spamreport"


def test_a_conversation_reply_follows_its_events(post_email, post_events, requester, sendgrid, agents):
    post_email(sender=requester.email, text=QUESTION)
    reply = inbound().get().replies.get()
    log = EmailDeliveryLog.objects.get(reference=f"message:{reply.pk}")
    post_events([event(log, "delivered", walker_message=str(reply.pk))])
    assert Message.objects.get(pk=reply.pk).status == "delivered"
    post_events([event(log, "dropped", walker_message=str(reply.pk), reason="Bounced Address")])
    reply.refresh_from_db()
    assert reply.status == "failed" and "Bounced Address" in reply.error


@pytest.mark.parametrize("how", ["unsigned", "wrong_key", "tampered", "stale", "future"])
def test_unverified_posts_are_refused_and_change_nothing(notification_email, post_events, client, how):
    row, log = notification_email
    events = [event(log, "delivered", walker_notification=str(row.pk))]
    if how == "unsigned":
        response = client.post("/channels/email/events", data=events, content_type="application/json")
    elif how == "wrong_key":
        response = post_events(events, key=ec.generate_private_key(ec.SECP256R1()))
    elif how == "tampered":  # signed for other contents
        response = post_events(events, signed_body='[{"event": "processed"}]')
    else:
        # a minute past the window either way: a loaded machine's second between signing and checking stays inside it
        response = post_events(events, timestamp=time.time() + (-660 if how == "stale" else 660))
    assert response.status_code in (401, 403) and response.json()["code"]
    log.refresh_from_db()
    assert log.status == "sent"


def test_a_replayed_post_is_refused(notification_email, post_events, client):
    row, log = notification_email
    first = post_events([event(log, "delivered")], timestamp=1_900_000_000)
    assert first.status_code == 403 and first.json()["code"] == "stale"
    stamp = int(time.time())
    ok = post_events([event(log, "processed")], timestamp=stamp)
    request = ok.wsgi_request
    replay = client.post(
        "/channels/email/events",
        data=request.body,
        content_type="application/json",
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=request.headers["X-Twilio-Email-Event-Webhook-Signature"],
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP=str(stamp),
    )
    assert ok.status_code == 200 and replay.status_code == 403 and replay.json()["code"] == "replayed"


def test_a_body_that_is_not_an_event_list_answers_400(post_events, event_key):
    assert post_events(None, body='{"event": "delivered"}').json()["code"] == "not_a_list"
    assert post_events(None, body="not json").status_code == 400


def test_a_post_too_large_to_read_answers_413(post_events, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post_events([{"event": "delivered", "padding": "x" * 200}])
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_a_daily_brief_goes_through_sendgrid_and_its_events_reach_its_log(tenant, sendgrid, post_events):
    reader = EmailPreferenceFactory(user=UserFactory(tenant=tenant), timezone="UTC")
    [outcome] = send_due_briefs(datetime(2026, 11, 24, 8, 5, tzinfo=UTC))
    assert outcome.status == "sent"
    (mail,) = sendgrid.mails
    log = EmailDeliveryLog.objects.get(email_type="daily_brief", user=reader.user)
    assert mail["custom_args"]["walker_log"] == str(log.pk) and log.status == "sent"
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    post_events([event(log, "delivered"), event(log, "open"), event(log, "click")])
    log.refresh_from_db()
    assert log.status == "clicked" and log.delivered_at and log.opened_at and log.clicked_at


def test_a_failed_send_stays_failed(post_email, post_events, requester, sendgrid, agents):
    """A send Walker gave up on (the provider's answer never came) reads `failed`; late events do not revive it."""
    post_email(sender=requester.email, text=QUESTION)
    reply = inbound().get().replies.get()
    log = EmailDeliveryLog.objects.get(reference=f"message:{reply.pk}")
    EmailDeliveryLog.objects.filter(pk=log.pk).update(status="failed", failure_reason="gave up: timeout")
    Message.objects.filter(pk=reply.pk).update(status="failed", error="gave up: timeout")
    for kind in ("processed", "delivered", "open", "click"):
        post_events([event(log, kind, walker_message=str(reply.pk))])
        log.refresh_from_db()
        assert (log.status, Message.objects.get(pk=reply.pk).status) == ("failed", "failed"), kind


P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def malleated(signature: str) -> list[str]:
    """The same signature written otherwise: ECDSA's (r, n - s) verifies as (r, s) does, and base64 text may carry
    characters the decoder skips."""
    r, s = decode_dss_signature(base64.b64decode(signature))
    return [base64.b64encode(encode_dss_signature(r, P256_ORDER - s)).decode(), f"{signature[:8]}.{signature[8:]}"]


@pytest.mark.parametrize("variant", [0, 1])
def test_a_seen_post_with_its_signature_rewritten_is_a_replay(notification_email, post_events, client, variant):
    row, log = notification_email
    stamp = str(int(time.time()))
    first = post_events([event(log, "delivered", walker_notification=str(row.pk))], timestamp=int(stamp))
    assert first.status_code == 200 and first.json() == {"applied": 1}
    request = first.wsgi_request
    signature = request.headers["X-Twilio-Email-Event-Webhook-Signature"]
    again = malleated(signature)[variant]
    assert again != signature
    replay = client.post(
        "/channels/email/events", data=request.body, content_type="application/json",
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=again,
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP=stamp,
    )  # fmt: skip
    assert replay.status_code == 403 and replay.json()["code"] == "replayed"


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '[{"event": "bounce", "walker_log": "%s", "reason": "550 \\u0000 no such user"}]',
        '[{"event": "bounce", "walker_log": "%s", "reason": "\\ud800"}]',
    ],
)
def test_a_signed_body_that_cannot_be_stored_answers_400(notification_email, post_events, body):
    _, log = notification_email
    response = post_events(None, body=body.replace("%s", str(log.pk)))
    assert response.status_code == 400 and response.json()["code"] == "not_json" and response.json()["detail"]
    log.refresh_from_db()
    assert log.status == "sent" and log.failure_reason == ""
