"""What people are told, in their language, and how it travels: the email provider (logged like every email) and the
WhatsApp sender approval notifications use; a notice that cannot go is recorded as failed, never retried forever."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.exceptions import Retry
from django.utils import formats, timezone

from alerts import notices, sending
from alerts.models import AlertIncident, AlertNotice
from alerts.tasks import send_notice
from analytics.models import EmailDeliveryLog, EventType
from channels_app.whatsapp.models import WhatsAppContact, WhatsAppTemplate
from core.sending import TransientSendError
from reports.periods import zone_of
from tenants.models import UndeliverableAddress
from tests.alerts.conftest import emails, events, first_responses
from tests.factories import PhoneFactory, UserFactory

BASE = "https://walker.example.com"


@pytest.fixture(autouse=True)
def _provider_and_url(email_settings):
    """Walker's email backend (the provider's, logged), and the console's public address in links."""
    email_settings.PUBLIC_BASE_URL = BASE


def told(event="opened"):
    return AlertNotice.objects.select_related("incident").get(event=event)


def test_the_opening_notice_says_what_the_figure_the_threshold_and_where(sent_after_commit, rule, tenant, tenant_admin):
    watched = rule("sla_breaches", "2", name="SLA breaches pile up", window_minutes=45)
    events(tenant, EventType.SLA_BREACHED, 3)
    sent_after_commit(watched)
    notice = told()
    incident = AlertIncident.objects.get()
    assert notice.subject == "Alert: SLA breaches pile up"
    assert notice.message.splitlines() == [
        "The number of approval SLA breaches is 3, above the threshold of 2.",
        "Measured over the last 45 minutes.",
        f"See it in the console: {BASE}/admin/alerts/alertincident/{incident.pk}/change/",
    ]


def test_the_clearing_notice_says_it_is_back_since_when_and_how_high_it_went(
    sent_after_commit, rule, tenant, tenant_admin
):
    watched = rule("first_response_p90", "2", name="Slow first answers", clear_after_minutes=10)
    first_responses(tenant, 600)
    sent_after_commit(watched)
    first_responses(tenant, *[30] * 20)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert sent_after_commit(watched) == "clearing"
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert sent_after_commit(watched) == "cleared"
    lines = told("cleared").message.splitlines()
    assert told("cleared").subject == "Cleared: Slow first answers"
    assert lines[0] == "The first response time (90th percentile) is back to 0.5 min, within the threshold of 2 min."
    since = formats.date_format(timezone.localtime(start, zone_of(tenant)), "DATETIME_FORMAT")
    assert lines[1] == f"It has been within the threshold since {since}."
    assert lines[2].startswith("It opened on ") and lines[2].endswith(" with 10 min; the highest figure was 10 min.")


def test_the_quiet_period_reads_in_spanish(sent_after_commit, rule, tenant, tenant_admin):
    tenant_admin.language = "es"
    tenant_admin.save()
    watched = rule("sla_breaches", "0", clear_after_minutes=5)
    events(tenant, EventType.SLA_BREACHED, 1)
    sent_after_commit(watched)
    watched.threshold = Decimal(1)
    watched.save()
    start = timezone.now()
    for minutes, outcome in ((0, "clearing"), (5, "cleared")):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert sent_after_commit(watched) == outcome
    assert told("cleared").message.splitlines()[1].startswith("Está dentro del umbral desde el ")


def test_with_no_quiet_period_the_clearing_notice_says_no_since(sent_after_commit, rule, tenant, tenant_admin):
    watched = rule("sla_breaches", "0", clear_after_minutes=0)
    events(tenant, EventType.SLA_BREACHED, 1)
    sent_after_commit(watched)
    watched.threshold = Decimal(1)
    watched.save()
    assert sent_after_commit(watched) == "cleared"
    assert told("cleared").message.splitlines()[1].startswith("It opened on ")


def test_each_person_reads_it_in_their_language(sent_after_commit, rule, tenant, tenant_admin):
    tenant_admin.language = "es"
    tenant_admin.save()
    watched = rule("email_bounce_rate", "5", name="Rebotes")
    emails(tenant, "delivered", 2)
    emails(tenant, "bounced", 1)
    sent_after_commit(watched)
    notice = told()
    assert notice.subject == "Alerta: Rebotes"
    assert notice.message.splitlines()[0] == "La tasa de rebote del correo es 33,33 %, por encima del umbral de 5 %."
    assert "Míralo en la consola" in notice.message


def test_a_failed_sends_rule_names_its_channel(rule, tenant):
    watched = rule("channel_failures", "0", channel="whatsapp")
    incident = AlertIncident(rule=watched, threshold=Decimal(0), opened_value=Decimal(4), peak_value=Decimal(4))
    subject, message = notices.text(incident, "opened")
    assert message.startswith("The number of failed WhatsApp sends is 4, above the threshold of 0.")


def test_email_goes_through_the_provider_and_the_delivery_log(
    sent_after_commit, rule, tenant, tenant_admin, sent_emails
):
    sent_after_commit(rule("approvals_waiting", "-1"))  # nothing waits, and that is above -1
    [email] = sent_emails
    notice = told()
    assert (email.to, email.subject) == (tenant_admin.email, "Alert: approvals_waiting above -1")
    assert f"{BASE}/admin/alerts/alertincident/" in email.text
    log = EmailDeliveryLog.objects.get(reference=f"alert:{notice.pk}")
    assert (log.email_type, log.tenant_id, log.user_id) == ("system", tenant.pk, tenant_admin.pk)
    assert (notice.status, notice.provider, notice.provider_message_id) == ("sent", "email", "msg-1")


def test_whatsapp_goes_to_the_persons_verified_number(sent_after_commit, rule, tenant, tenant_admin, twilio, number):
    phone = PhoneFactory(user=tenant_admin, phone_number="+14155550177", is_primary=True)
    WhatsAppContact.objects.create(tenant=tenant, phone=phone.phone_number, last_inbound_at=timezone.now())
    sent_after_commit(rule("approvals_waiting", "-1", notify_channels=["whatsapp"]))
    [sent] = twilio.sent
    assert sent["To"] == "whatsapp:+14155550177"
    assert sent["Body"].startswith("Alert: approvals_waiting above -1\nThe number of approvals waiting is 0")
    assert (told().status, told().provider) == ("sent", "whatsapp")


def test_outside_the_24_hour_window_whatsapp_uses_the_notification_template(
    sent_after_commit, rule, tenant, tenant_admin, twilio, number
):
    PhoneFactory(user=tenant_admin, phone_number="+14155550177", is_primary=True)
    WhatsAppTemplate.objects.create(
        tenant=tenant, purpose="notification", content_sid="HX" + "a" * 32, variables={"1": "subject", "2": "summary"}
    )
    sent_after_commit(rule("approvals_waiting", "-1", notify_channels=["whatsapp"], name="Queue"))
    [sent] = twilio.sent
    assert json.loads(sent["ContentVariables"]) == {
        "1": "Alert: Queue",
        "2": "The number of approvals waiting is 0, above the threshold of -1.",
    }


def test_a_person_who_cannot_be_reached_is_recorded_as_failed(
    sent_after_commit, rule, tenant, tenant_admin, sent_emails
):
    UndeliverableAddress.objects.create(email=tenant_admin.email, reason="bounce")
    no_phone = UserFactory(tenant=tenant, role="support")
    sent_after_commit(rule("approvals_waiting", "-1", people=[no_phone], notify_channels=["email", "whatsapp"]))
    outcomes = {(n.recipient_id, n.channel): (n.status, n.failure_reason) for n in AlertNotice.objects.all()}
    assert outcomes[(tenant_admin.pk, "email")] == ("failed", "the address is marked undeliverable")
    assert outcomes[(no_phone.pk, "whatsapp")] == ("failed", "the person has no verified primary phone number")
    assert outcomes[(no_phone.pk, "email")][0] == "sent"
    assert [email.to for email in sent_emails] == [no_phone.email]


def test_a_provider_that_stays_down_leaves_the_notice_failed_after_its_retries(
    sent_after_commit, rule, tenant_admin, monkeypatch
):
    def down(row):
        raise TransientSendError("provider unreachable")

    monkeypatch.setitem(sending.SENDERS, "email", down)
    with pytest.raises(Retry):  # eager: the first attempt's retry reaches the caller
        sent_after_commit(rule("approvals_waiting", "-1"))
    notice = told()
    assert notice.status == "pending"
    send_notice.on_failure(TransientSendError("provider unreachable"), "id", [str(notice.pk)], {}, None)
    notice.refresh_from_db()
    assert (notice.status, notice.failure_reason) == ("failed", "gave up: provider unreachable")


def test_a_notice_already_sent_is_not_sent_again(sent_after_commit, rule, tenant_admin, sent_emails):
    sent_after_commit(rule("approvals_waiting", "-1"))
    sending.send(told().pk)
    assert len(sent_emails) == 1
