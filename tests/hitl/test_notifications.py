import json

import pytest
from django.core import mail
from werkzeug import Response

from hitl.console import console_group
from hitl.models import HITLNotification
from tests.factories import PhoneFactory

ALL_CHANNELS = ["email", "in_app", "slack", "whatsapp"]


@pytest.fixture
def send_after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def rows(**filters):
    return HITLNotification.objects.filter(**filters)


def test_creation_notifies_each_eligible_approver_on_each_channel(ask, workflow, approver, second_approver, requester):
    workflow(notification_channels=ALL_CHANNELS)
    approval = ask()
    created = rows(approval=approval, event="created")
    assert created.count() == 2 * len(ALL_CHANNELS)
    assert set(created.values_list("recipient", flat=True)) == {approver.pk, second_approver.pk}
    assert not created.filter(recipient=requester).exists()  # the requester is not an approver of their own request
    row = created.filter(channel="email").first()
    assert approval.reference in row.message and "/admin/hitl/hitlapproval/" in row.message


def test_email_is_sent_through_the_email_provider(ask, workflow, approver, send_after_commit):
    workflow(notification_channels=["email"])
    with send_after_commit():
        approval = ask()
    (message,) = mail.outbox
    assert message.to == [approver.email] and approval.action_summary in message.subject
    row = rows(channel="email").get()
    assert row.status == "sent" and row.sent_at is not None and row.provider.startswith("email:")


def test_in_app_is_delivered_to_the_recipients_list_and_the_console_shows_the_event_once(
    ask, workflow, approver, tenant, send_after_commit, monkeypatch
):
    """The console's live feed already carries the event (its history row, read by channels_app.console.follow):
    the in-app row is not pushed to the console too."""
    from core import layer

    sent = []
    monkeypatch.setattr(layer, "group_send", lambda group, message: sent.append((group, message)))
    workflow(notification_channels=["in_app"])
    with send_after_commit():
        approval = ask()
    assert [message for group, message in sent if group == console_group(tenant.pk)] == []
    assert list(approval.history.values_list("event_type", flat=True)) == ["created"]
    assert rows(channel="in_app").get().status == "delivered"


@pytest.mark.usefixtures("loopback_receivers")
def test_slack_posts_to_the_tenants_incoming_webhook(ask, workflow, approver, tenant, httpserver, send_after_commit):
    tenant.slack_webhook_url = httpserver.url_for("/slack")
    tenant.save()
    httpserver.expect_oneshot_request("/slack", method="POST").respond_with_data("ok")
    workflow(notification_channels=["slack"])
    with send_after_commit():
        approval = ask()
    ((request, _),) = httpserver.log
    assert approval.reference in json.loads(request.get_data())["text"]
    assert rows(channel="slack").get().status == "sent"


def test_slack_without_a_webhook_is_recorded_as_failed(ask, workflow, approver, send_after_commit):
    workflow(notification_channels=["slack"])
    with send_after_commit():
        ask()
    row = rows(channel="slack").get()
    assert row.status == "failed" and "no Slack webhook" in row.failure_reason


def test_slack_is_the_sender_the_slack_channel_registered(ask, workflow, approver, send_after_commit, monkeypatch):
    """hitl does not import the Slack channel: channels_app.slack registers hitl's "slack" sender when it is ready
    (its incoming-webhook fallback is what runs here, without a workspace). Without it, the row fails saying so."""
    from channels_app.slack import webhook
    from hitl.notifying import registry

    assert registry.sender_for("slack").send is webhook.send
    monkeypatch.delitem(registry._senders, "slack")
    workflow(notification_channels=["slack"])
    with send_after_commit():
        ask()
    row = rows(channel="slack").get()
    assert row.status == "failed" and row.failure_reason == "no sender is registered for the slack channel"


@pytest.mark.usefixtures("loopback_receivers")
def test_a_slack_outage_is_retried_then_recorded(
    ask, workflow, approver, tenant, httpserver, send_after_commit, monkeypatch
):
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    tenant.slack_webhook_url = httpserver.url_for("/slack")
    tenant.save()
    httpserver.expect_request("/slack", method="POST").respond_with_handler(lambda r: Response("down", status=503))
    workflow(notification_channels=["slack"])
    with send_after_commit():
        ask()
    row = rows(channel="slack").get()
    assert len(httpserver.log) == 5  # the first try and four retries
    assert row.status == "failed" and "gave up" in row.failure_reason and "503" in row.failure_reason


def test_whatsapp_goes_to_the_approvers_primary_verified_phone(
    ask, workflow, tenant, approver, second_approver, send_after_commit
):
    from channels_app.whatsapp.models import WhatsAppSender
    from channels_app.whatsapp.window import touch_window

    WhatsAppSender.objects.create(tenant=tenant, number="+14155238886")
    PhoneFactory(user=approver, phone_number="+14155550142", is_primary=True)
    PhoneFactory(user=second_approver, phone_number="+14155550143", is_primary=True, verified=False)
    touch_window(tenant.pk, "+14155550142")  # wrote to the business in the last 24 hours: free text may go
    workflow(notification_channels=["whatsapp"])
    with send_after_commit():
        ask()
    sent = rows(channel="whatsapp", recipient=approver).get()
    assert (sent.status, sent.recipient_phone, sent.provider) == ("sent", "+14155550142", "whatsapp")
    assert sent.provider_message_id.startswith("console-")
    unverified = rows(channel="whatsapp", recipient=second_approver).get()
    assert unverified.status == "failed" and "no verified primary phone" in unverified.failure_reason


def test_a_sent_notification_is_never_sent_twice(ask, workflow, approver, send_after_commit):
    from hitl.tasks import send_notification

    workflow(notification_channels=["email"])
    with send_after_commit():
        ask()
    send_notification.delay(str(rows().get().pk))
    assert len(mail.outbox) == 1


def test_a_decision_notifies_the_other_approvers(ask, approver, second_approver):
    from hitl.services.decisions import reject

    approval = ask()
    reject(approval.pk, actor=approver, reason="No")
    decided = rows(approval=approval, event="decided")
    assert decided.exists() and decided.first().subject.startswith("Rejected:")


def test_every_approval_event_is_in_the_history_the_consoles_read(ask, approver, send_after_commit):
    """The consoles' feed (channels_app.console.follow, tested in tests/console) reads the approval history."""
    from hitl.services.decisions import approve

    with send_after_commit():
        approval = ask()
        approve(approval.pk, actor=approver)
    events = list(approval.history.order_by("timestamp").values_list("event_type", flat=True))
    assert events == ["created", "approved", "executed"]


def test_a_delivery_reported_while_the_provider_was_answering_is_not_undone(ask, workflow, approver, monkeypatch):
    from hitl.notifying import senders

    workflow(notification_channels=["email"])
    ask()  # rows stored; sending happens below
    row = rows().get()

    def provider_answers_after_the_callback(notification):
        HITLNotification.objects.filter(pk=notification.pk).update(status=HITLNotification.Status.DELIVERED)
        return "email:test", "msg-1"

    monkeypatch.setitem(senders.SENDERS, HITLNotification.Channel.EMAIL, provider_answers_after_the_callback)
    senders.send(row.pk)
    row.refresh_from_db()
    assert row.status == HITLNotification.Status.DELIVERED  # not set back to "sent"
    assert (row.provider, row.provider_message_id) == ("email:test", "msg-1") and row.sent_at is not None


def test_a_failure_keeps_no_address_in_the_row_or_the_event_log(ask, workflow, approver, send_after_commit):
    """The row's reason and the platform event that counts it quote no address (issue 29, point 4)."""
    from analytics.models import EventType, PlatformEvent
    from hitl.notifying.deliveries import mark_undelivered
    from tenants.models import UndeliverableAddress

    UndeliverableAddress.objects.create(email=approver.email, reason="bounce")
    workflow(notification_channels=["email"])
    with send_after_commit():
        approval = ask()
    refused = rows(channel="email").get()
    assert refused.status == "failed" and "undeliverable" in refused.failure_reason
    UndeliverableAddress.objects.all().delete()
    bounced = HITLNotification.objects.create(
        tenant=approval.tenant, approval=approval, channel="email", recipient=approver, recipient_email=approver.email,
        event="decided", message="Decided",
    )  # fmt: skip
    mark_undelivered(bounced.pk, f"SendGrid: bounce · 550 5.1.1 <{approver.email}>: no such user")

    reasons = [row.failure_reason for row in rows(pk__in=[refused.pk, bounced.pk])]
    events = PlatformEvent.objects.filter(event_type=EventType.NOTIFICATION_FAILED)
    reasons += [event.metadata["reason"] for event in events]
    assert len(reasons) == 4 and "no such user" in " ".join(reasons)
    assert not [reason for reason in reasons if approver.email in reason]
