"""What a row reads as where the console names it (page titles, breadcrumbs, a list's link to it): words a person
reads, in their language, and never a phone number or an address whole."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from channels_app.whatsapp.models import WhatsAppContact, WhatsAppSend
from hitl.models import HITLNotification
from tenants.pii import mask
from tests.fixtures.whatsapp import new_sid

pytestmark = pytest.mark.django_db
PHONE = "+14155550105"


def test_a_whatsapp_contact_reads_as_its_masked_phone(tenant):
    contact = WhatsAppContact.objects.create(tenant=tenant, phone=PHONE, last_inbound_at=timezone.now())
    assert PHONE not in str(contact) and mask(PHONE) in str(contact)


def test_a_history_entry_reads_as_its_approvals_reference_and_what_happened(ask):
    approval = ask()
    entry = approval.history.get(event_type="created")
    with translation.override("es"):
        assert str(entry) == f"{approval.reference}: Solicitada"


@pytest.mark.slow
def test_a_send_and_its_notification_are_named_on_the_sends_pages(client, tenant_admin, ask):
    approval = ask()
    notification = HITLNotification.objects.create(
        tenant=approval.tenant, approval=approval, channel="whatsapp", event="created", message="Approval needed"
    )
    send = WhatsAppSend.objects.create(sid=new_sid(), tenant=approval.tenant, notification=notification, to=PHONE)
    client.force_login(tenant_admin)
    page = client.get(f"/admin/channels_app/whatsappsend/{send.pk}/change/")
    assert page.status_code == 200 and f"{send.sid}: Queued" in page.text
    listing = client.get("/admin/channels_app/whatsappsend/")
    with timezone.override(ZoneInfo(approval.tenant.timezone)):  # the console's zone: the tenant's
        named = str(notification)
    assert listing.status_code == 200 and named in listing.text and PHONE not in listing.text
