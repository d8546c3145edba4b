"""Point 1: every email leaves through the provider; rows say `sent` only when the provider accepted it."""

import email
import email.policy
import json
import logging

import pytest
from django.core.mail import send_mail

from analytics.models import EmailDeliveryLog
from conversations.models import Message
from hitl.models import HITLNotification
from tenants.models import UndeliverableAddress


@pytest.fixture
def send_after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_approval_email_goes_through_sendgrid_with_html_text_links_and_custom_args(
    ask, workflow, approver, sendgrid, send_after_commit
):
    workflow(notification_channels=["email"])
    with send_after_commit():
        approval = ask()
    (mail,) = sendgrid.mails
    row = HITLNotification.objects.get(channel="email", recipient=approver)
    log = EmailDeliveryLog.objects.get(reference=f"notification:{row.pk}")
    assert mail["personalizations"][0]["to"] == [{"email": approver.email}]
    assert mail["from"] == {"email": "walker@walker.test", "name": "Walker"}
    assert mail["reply_to"] == {"email": "reply@mail.walker.test"}
    kinds = {part["type"]: part["value"] for part in mail["content"]}
    assert approval.reference in kinds["text/plain"] and "/hitl/decide/" in kinds["text/plain"]
    assert ">Approve</a>" in kinds["text/html"] and "/hitl/decide/" in kinds["text/html"]
    assert mail["custom_args"] == {"walker_notification": str(row.pk), "walker_log": str(log.pk)}
    assert (row.status, row.provider, row.provider_message_id) == ("sent", "email:sendgrid", "sg-1")
    assert (log.status, log.provider, log.message_id, log.user, log.tenant_id) == (
        "sent",
        "sendgrid",
        "sg-1",
        approver,
        approval.tenant_id,
    )
    assert log.email_type == "approval" and log.sent_at is not None
    assert "/hitl/decide/" not in row.message  # the links are never stored


def test_a_refusal_is_recorded_with_sendgrids_answer(ask, workflow, approver, sendgrid, send_after_commit):
    sendgrid.fail_with(400, {"errors": [{"message": "The from address does not match a verified Sender Identity"}]})
    workflow(notification_channels=["email"])
    with send_after_commit():
        ask()
    row = HITLNotification.objects.get(channel="email")
    log = EmailDeliveryLog.objects.get()
    assert row.status == "failed" and "verified Sender Identity" in row.failure_reason and "400" in row.failure_reason
    assert log.status == "failed" and "verified Sender Identity" in log.failure_reason
    assert len(sendgrid.mails) == 1  # a refusal is not retried


def test_an_outage_is_retried_with_backoff_then_recorded(
    ask, workflow, approver, sendgrid, send_after_commit, monkeypatch
):
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    sendgrid.fail_with(503, {"errors": [{"message": "try later"}]}, times=10)
    workflow(notification_channels=["email"])
    with send_after_commit():
        ask()
    row = HITLNotification.objects.get(channel="email")
    log = EmailDeliveryLog.objects.get()
    assert len(sendgrid.mails) == 5  # the first try and four retries
    assert row.status == "failed" and "gave up" in row.failure_reason and "503" in row.failure_reason
    assert (log.status, log.attempts) == ("failed", 5) and "try later" in log.failure_reason


def test_a_retry_after_acceptance_sends_nothing_more(ask, workflow, approver, sendgrid, send_after_commit):
    from hitl.tasks import send_notification

    workflow(notification_channels=["email"])
    with send_after_commit():
        ask()
    row = HITLNotification.objects.get(channel="email")
    HITLNotification.objects.filter(pk=row.pk).update(status="pending")  # as if the worker died after sending
    send_notification.delay(str(row.pk))
    assert len(sendgrid.mails) == 1 and EmailDeliveryLog.objects.count() == 1


def test_the_console_provider_stores_indexes_and_logs_one_line(
    ask, workflow, approver, send_after_commit, settings, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    workflow(notification_channels=["email"])
    with send_after_commit():
        approval = ask()
    log = EmailDeliveryLog.objects.get()
    stored = (settings.EMAIL_CONSOLE_DIR / f"{log.message_id}.eml").read_text()
    assert log.provider == "console" and log.status == "sent"
    assert f"To: {approver.email}" in stored and "text/html" in stored and f"X-Walker-walker_log: {log.pk}" in stored
    assert capsys.readouterr().out == ""  # nothing dumped on the terminal
    (line,) = [r for r in caplog.records if r.name == "channels_app.email.providers"]
    assert line.levelno == logging.INFO and "\n" not in line.getMessage()
    assert log.subject in line.getMessage() and f"{log.message_id}.eml" in line.getMessage()
    assert approver.email not in line.getMessage()  # the log names the recipient masked; the index in full
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    (entry,) = [json.loads(row) for row in (settings.EMAIL_CONSOLE_DIR / "index.jsonl").read_text().splitlines()]
    assert (entry["to"], entry["subject"]) == (approver.email, log.subject) and approval.action_summary in log.subject
    assert entry["file"] == f"{log.message_id}.eml" and entry["sent_at"].endswith("Z")


def test_the_mail_index_has_one_line_per_message_in_sending_order(settings, db):
    settings.EMAIL_PROVIDER = "console"
    send_mail("First\tone", "Body", "walker@walker.test", ["a@example.test"])
    send_mail("Second", "Body", "walker@walker.test", ["b@example.test", "c@example.test"])
    rows = [json.loads(row) for row in (settings.EMAIL_CONSOLE_DIR / "index.jsonl").read_text().splitlines()]
    assert [(r["to"], r["subject"]) for r in rows] == [
        ("a@example.test", "First one"),
        ("b@example.test", "Second"),
        ("c@example.test", "Second"),
    ]
    assert all((settings.EMAIL_CONSOLE_DIR / r["file"]).is_file() for r in rows)
    assert len({r["file"] for r in rows}) == 3


def test_djangos_own_mail_goes_through_the_provider_too(sendgrid, db):
    send_mail("Password reset", "Follow the link", None, ["someone@acme.test"])
    (mail,) = sendgrid.mails
    assert mail["subject"] == "Password reset"
    assert EmailDeliveryLog.objects.get().email_type == "system"


def test_an_undeliverable_address_is_not_attempted_and_the_approver_hears_elsewhere(
    ask, workflow, approver, sendgrid, send_after_commit
):
    UndeliverableAddress.objects.create(email=approver.email, reason="bounce")
    workflow(notification_channels=["email"])
    with send_after_commit():
        ask()
    assert sendgrid.mails == []
    email = HITLNotification.objects.get(channel="email")
    assert email.status == "failed" and "undeliverable" in email.failure_reason
    fallback = HITLNotification.objects.get(channel="in_app", recipient=approver)
    assert fallback.status == "delivered" and fallback.event == "created"


def test_a_reply_to_an_undeliverable_address_is_not_attempted(post_email, requester, sendgrid, agents):
    UndeliverableAddress.objects.create(email=requester.email, reason="spamreport")
    post_email(sender=requester.email, text="How are our campaigns doing?")
    reply = Message.objects.get(direction="outbound")
    assert sendgrid.mails == [] and reply.status == "failed" and "undeliverable" in reply.error


def test_a_reply_that_never_gets_through_is_marked_failed(post_email, requester, sendgrid, agents, monkeypatch):
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    sendgrid.fail_with(429, {"errors": [{"message": "slow down"}]}, times=10)
    post_email(sender=requester.email, text="How are our campaigns doing?")
    reply = Message.objects.get(direction="outbound")
    log = EmailDeliveryLog.objects.get(reference=f"message:{reply.pk}")
    assert len(sendgrid.mails) == 6  # the first try and five retries
    assert reply.status == "failed" and "gave up" in reply.error and "429" in reply.error
    assert log.status == "failed" and "slow down" in log.failure_reason


INJECTED = [
    "Campaigns\r\nBcc: victim@evil.example",
    "Campaigns\nBcc: victim@evil.example",
    "Campaigns\u2028Bcc: victim@evil.example",
    "Campaigns =?utf-8?q?=0D=0ABcc:_victim@evil.example?=",  # mail software decodes the word into a line break
]


@pytest.mark.parametrize("subject", INJECTED)
def test_a_subject_with_line_breaks_is_answered_on_one_line(post_email, requester, agents, settings, subject):
    post_email(sender=requester.email, subject=subject, text="How are our campaigns doing?")
    reply = Message.objects.get(direction="outbound")
    log = EmailDeliveryLog.objects.get(reference=f"message:{reply.pk}")
    assert (reply.status, log.status) == ("sent", "sent")
    stored = (settings.EMAIL_CONSOLE_DIR / f"{log.message_id}.eml").read_text()
    headers = stored.split("\n\n", 1)[0]
    assert "\nBcc:" not in headers and "victim@evil.example" in headers  # still there, as text of the subject
    assert email.message_from_string(stored, policy=email.policy.default)["Bcc"] is None


@pytest.mark.parametrize("subject", INJECTED)
def test_an_answer_outside_a_conversation_too(post_email, sendgrid, subject, db):
    post_email(sender="stranger@elsewhere.test", subject=subject)
    (mail,) = sendgrid.mails
    assert "\n" not in mail["subject"] and "\r" not in mail["subject"] and "=?" not in mail["subject"]
    assert EmailDeliveryLog.objects.get().status == "sent"


def test_a_send_that_breaks_is_recorded_failed(post_email, requester, agents, monkeypatch):
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    def broken(email):
        raise RuntimeError("the provider module broke")

    monkeypatch.setattr("channels_app.email.send.provider_send", broken)
    post_email(sender=requester.email, text="How are our campaigns doing?")
    reply = Message.objects.get(direction="outbound")
    log = EmailDeliveryLog.objects.get(reference=f"message:{reply.pk}")
    assert reply.status == "failed" and "broke" in reply.error
    assert log.status == "failed" and "broke" in log.failure_reason


def test_an_answer_that_breaks_is_recorded_failed(post_email, monkeypatch, db):
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    def broken(email):
        raise RuntimeError("the provider module broke")

    monkeypatch.setattr("channels_app.email.send.provider_send", broken)
    post_email(sender="stranger@elsewhere.test")
    log = EmailDeliveryLog.objects.get()
    assert log.status == "failed" and "broke" in log.failure_reason
