"""A dump of the database holds no customer phone number, email address or card number in clear.

The data gets there the way it does in production: a WhatsApp message over a signed Twilio webhook and
its answer through the twilio SDK, an inbound email and its reply through the SendGrid SDK, an approval
notified by email and WhatsApp, a read of the conversation through the API, a subject export, a failed
sign-in, strangers writing in and a bounced address. Then `pg_dump --data-only` of the test database is searched.
"""

import subprocess

import pytest
from django.db import connection

from analytics.models import EmailDeliveryLog
from channels_app.whatsapp.models import WhatsAppContact
from conversations.models import Message
from hitl.models import HITLNotification
from tenants.models import AccessLog, UndeliverableAddress
from tests.factories import PhoneFactory
from tests.whatsapp.conftest import inbound_form, post_signed

CARD, CUSTOMER_EMAIL, CUSTOMER_PHONE = "4111 1111 1111 1111", "jane.doe@example.com", "+1 415 555 0199"
SECRETS = [
    CARD,
    "4111111111111111",
    CUSTOMER_EMAIL,
    "415 555 0199",
    "4155550199",
    "4155550105",  # the member's WhatsApp number
    "4155550177",  # the approver's
    "colleague@acme.test",
    "approver@acme.test",
    "admin@",
    "bounced.customer@example.com",
    "stranger@example.org",  # an unknown sender by email
    "4155550188",  # and by WhatsApp
]


def _dump() -> str:
    settings = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "-h", settings["HOST"] or "127.0.0.1", "-U", settings["USER"]]
    if settings["PORT"]:
        command += ["-p", str(settings["PORT"])]
    result = subprocess.run([*command, settings["NAME"]], capture_output=True, text=True, check=True, timeout=120)
    return result.stdout


@pytest.mark.usefixtures("postgres_only")
def test_a_database_dump_holds_no_personal_data_in_clear(
    client,
    api_as,
    twilio,
    sendgrid,
    number,
    member_phone,
    post_email,
    ask,
    workflow,
    approver,
    tenant_admin,
):
    colleague = member_phone.user
    said = f"My card is {CARD}, write to {CUSTOMER_EMAIL} or call {CUSTOMER_PHONE}"
    assert (
        post_signed(client, "/channels/whatsapp/webhook", inbound_form(member_phone.phone_number, said)).status_code
        == 200
    )
    subject = f"Card {CARD}, call {CUSTOMER_PHONE}"  # a reply repeats the subject: both are sealed
    assert post_email(sender=colleague.email, subject=subject, text=said).status_code == 200

    PhoneFactory(user=approver, phone_number="+14155550177", is_primary=True)
    post_signed(client, "/channels/whatsapp/webhook", inbound_form("+14155550177", "hi"))  # opens their window
    workflow(notification_channels=["email", "whatsapp"])
    ask()

    conversation = Message.objects.filter(conversation__user=colleague).first().conversation
    assert api_as(colleague).get(f"/api/conversations/{conversation.pk}/").status_code == 200
    export = {"person": str(colleague.pk), "kind": "export", "reason": "Art. 15"}
    assert api_as(tenant_admin).post("/api/subject-requests/", export, format="json").status_code == 200
    post_email(sender="stranger@example.org", text=said)
    post_signed(client, "/channels/whatsapp/webhook", inbound_form("+14155550188", said))
    client.post("/admin/login/", {"username": colleague.email, "password": "wrong"})
    UndeliverableAddress.objects.create(email="bounced.customer@example.com", reason="bounce")

    # What was stored, and that it reads back whole: the dump below is of real rows.
    assert Message.objects.filter(conversation__user=colleague).count() >= 4
    assert any(CARD in m.text for m in Message.objects.all())
    assert EmailDeliveryLog.objects.filter(to_address=colleague.email, sealed_subject__contains="⟦card 1⟧").exists()
    assert any(log.subject == f"Re: {subject}" for log in EmailDeliveryLog.objects.all())
    notified = {n.channel: (n.recipient_email, n.recipient_phone) for n in HITLNotification.objects.all()}
    assert notified["email"][0] == approver.email and notified["whatsapp"][1] == "+14155550177"
    assert WhatsAppContact.objects.filter(phone=member_phone.phone_number).exists()
    assert AccessLog.objects.filter(actor=colleague).exists()

    dump = _dump()
    assert "Acme Outdoor" in dump and "⟦card 1⟧" in dump  # the dump is real; the text kept its placeholders
    found = [secret for secret in SECRETS if secret in dump]
    assert found == [], f"in clear in the dump: {found}"
