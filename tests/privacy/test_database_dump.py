"""A dump of the database holds no customer phone number, email address or card number in clear.

The data gets there the way it does in production: a WhatsApp message over a signed Twilio webhook and
its answer through the twilio SDK, an inbound email and its reply through the SendGrid SDK, an approval
notified by email and WhatsApp and decided with a reason, a read of the conversation through the API, a
subject export, sign-ins that failed and one that worked, the approval analytics, strangers writing in and a
bounced address. Then two people are erased, the CSV exports are read with everything revealed, and
`pg_dump --data-only` of the test database is searched.
"""

import csv
import io
import re
import subprocess

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client

from analytics.models import EmailDeliveryLog, HITLAnalytics
from channels_app.whatsapp.models import WhatsAppContact
from conversations.models import Message
from hitl.models import HITLNotification
from hitl.services.decisions import reject
from reports.approval_stats import refresh_tenant
from tenants.fields import hash_of
from tenants.models import AccessLog, UndeliverableAddress
from tenants.roles import Role
from tests.factories import PASSWORD, PhoneFactory, UserFactory
from tests.fixtures.whatsapp import inbound_form, post_signed

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
    "Jane Q. Customer",  # the WhatsApp sender's profile name
    "415 555 0166",  # typed in a rejection reason
    "4155550166",
]


def _tables_holding(dump: str, text: str) -> set[str]:
    """The tables whose rows in the dump hold `text`."""
    tables = re.split(r"^COPY public\.", dump, flags=re.M)[1:]
    return {table.split(" ", 1)[0] for table in tables if text in table}


def _csv_text(response) -> str:
    assert response.status_code == 200, response
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) > 1  # a header and rows
    return "\n".join(",".join(row) for row in rows)


def _dump() -> str:
    settings = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "-h", settings["HOST"] or "127.0.0.1", "-U", settings["USER"]]
    if settings["PORT"]:
        command += ["-p", str(settings["PORT"])]
    result = subprocess.run([*command, settings["NAME"]], capture_output=True, text=True, check=True, timeout=120)
    return result.stdout


@pytest.mark.slow
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
    form = inbound_form(member_phone.phone_number, said, ProfileName="Jane Q. Customer")
    assert post_signed(client, "/channels/whatsapp/webhook", form).status_code == 200
    subject = f"Card {CARD}, call {CUSTOMER_PHONE}"  # a reply repeats the subject: both are sealed
    assert post_email(sender=colleague.email, subject=subject, text=said).status_code == 200

    PhoneFactory(user=approver, phone_number="+14155550177", is_primary=True)
    post_signed(client, "/channels/whatsapp/webhook", inbound_form("+14155550177", "hi"))  # opens their window
    workflow(notification_channels=["email", "whatsapp"])
    ask()
    refused = ask("900.00")
    reject(refused.pk, actor=approver, reason=f"Too much; {CUSTOMER_EMAIL} asked, call +1 415 555 0166")

    conversation = Message.objects.filter(conversation__user=colleague).first().conversation
    assert api_as(colleague).get(f"/api/conversations/{conversation.pk}/").status_code == 200
    export = {"person": str(colleague.pk), "kind": "export", "reason": "Art. 15"}
    assert api_as(tenant_admin).post("/api/subject-requests/", export, format="json").status_code == 200
    post_email(sender="stranger@example.org", text=said)
    post_signed(client, "/channels/whatsapp/webhook", inbound_form("+14155550188", said))
    client.post("/accounts/login/", {"login": colleague.email, "password": "wrong"})
    client.post("/api/auth/token/", {"email": colleague.email, "password": "wrong"})  # a form: axes keeps its fields
    signed_in = Client(REMOTE_ADDR="192.0.2.7")  # elsewhere: a success clears its address's misses
    assert signed_in.post("/accounts/login/", {"login": approver.email, "password": PASSWORD}).status_code == 302
    UndeliverableAddress.objects.create(email="bounced.customer@example.com", reason="bounce")
    refresh_tenant(tenant_admin.tenant)  # the approval analytics, with their top approvers

    # What was stored, and that it reads back whole: the dump below is of real rows.
    assert Message.objects.filter(conversation__user=colleague).count() >= 4
    assert any(CARD in m.text for m in Message.objects.all())
    assert EmailDeliveryLog.objects.filter(to_address=colleague.email, sealed_subject__contains="⟦card 1⟧").exists()
    assert any(log.subject == f"Re: {subject}" for log in EmailDeliveryLog.objects.all())
    notified = {n.channel: (n.recipient_email, n.recipient_phone) for n in HITLNotification.objects.all()}
    assert notified["email"][0] == approver.email and notified["whatsapp"][1] == "+14155550177"
    assert WhatsAppContact.objects.filter(phone=member_phone.phone_number).exists()
    assert AccessLog.objects.filter(actor=colleague).exists()
    assert AccessAttempt.objects.filter(username=hash_of("email", colleague.email)).exists()
    assert HITLAnalytics.objects.filter(top_approvers__0__approver_id=str(approver.pk)).exists()

    dump = _dump()
    assert "Acme Outdoor" in dump and "⟦card 1⟧" in dump  # the dump is real; the text kept its placeholders
    found = [secret for secret in SECRETS if secret in dump]
    assert found == [], f"in clear in the dump: {found}"

    # Both erased by another admin; then everything is read back in full, as compliance may.
    erased = {person: (hash_of("email", person.email), person.email) for person in (colleague, approver)}
    for person in erased:
        export = {"person": str(person.pk), "kind": "erasure", "reason": "Art. 17"}
        assert api_as(tenant_admin).post("/api/subject-requests/", export, format="json").status_code == 201
    compliance = UserFactory(tenant=tenant_admin.tenant, role=Role.COMPLIANCE, email="dpo@acme.test")
    revealed = {"reveal": "1", "reason": "audit"}  # the range: the last days, today included
    reader = api_as(compliance)
    exports = "\n".join(
        _csv_text(reader.get(path, revealed))
        for path in (
            "/api/hitl/approvals/export/",
            "/api/analytics/hitl/export/",
            "/api/analytics/exports/conversations/",
            "/api/analytics/exports/access-log/",
        )
    )
    in_exports = [secret for secret in SECRETS if secret in exports]
    assert in_exports == [], f"in the CSV exports after the erasure: {in_exports}"
    assert not [email for _, email in erased.values() if email in exports]

    dump = _dump()
    assert "Acme Outdoor" in dump and "[Erased at the person's request]" in dump
    found = [secret for secret in SECRETS if secret in dump]
    assert found == [], f"in clear in the dump after the erasure: {found}"
    for person, (email_hash, _) in erased.items():
        # Only the append-only access log still knows who read what, by the reader's keyed hash.
        assert _tables_holding(dump, email_hash) <= {"tenants_accesslog"}, person
