"""WhatsApp's 24-hour customer-care window: a business may write free-form text to a person only within 24 hours
of that person's last message to the business number; outside it, only an approved template (whatsapp.send).
"""

from datetime import timedelta

from django.utils import timezone

from channels_app.whatsapp.models import WhatsAppContact

WINDOW = timedelta(hours=24)


def touch_window(tenant_id, phone: str) -> None:
    """The phone just wrote to the tenant's number: the window opens (or restarts) now. One statement (an upsert)."""
    contact = WhatsAppContact(tenant_id=tenant_id, phone=phone, last_inbound_at=timezone.now())
    WhatsAppContact.objects.bulk_create(
        [contact], update_conflicts=True, unique_fields=["tenant", "phone_hash"], update_fields=["last_inbound_at"]
    )


def in_window(tenant_id, phone: str) -> bool:
    since = timezone.now() - WINDOW
    return WhatsAppContact.objects.filter(tenant_id=tenant_id, phone=phone, last_inbound_at__gte=since).exists()
