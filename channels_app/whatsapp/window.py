"""WhatsApp's 24-hour customer-care window: a business may write free-form text to a person only within 24 hours
of that person's last message to the business number; outside it, only an approved template (whatsapp.send).
"""

from datetime import timedelta

from django.db.models import Subquery
from django.utils import timezone

from channels_app.whatsapp.models import WhatsAppContact

WINDOW = timedelta(hours=24)
# A burst of messages writes the window's start once a minute: it then closes up to a minute early, never late.
TOUCH_EVERY = timedelta(minutes=1)


def touch_window(tenant_id, phone: str, *, touched_at=None) -> None:
    """The phone just wrote to the tenant's number: the window opens (or restarts) now. One statement (an upsert),
    none when `touched_at` (the stored start, when the caller read it) is under TOUCH_EVERY old."""
    now = timezone.now()
    if touched_at is not None and now - touched_at < TOUCH_EVERY:
        return
    contact = WhatsAppContact(tenant_id=tenant_id, phone=phone, last_inbound_at=now)
    WhatsAppContact.objects.bulk_create(
        [contact], update_conflicts=True, unique_fields=["tenant", "phone_hash"], update_fields=["last_inbound_at"]
    )


def in_window(tenant_id, phone: str) -> bool:
    since = timezone.now() - WINDOW
    return WhatsAppContact.objects.filter(tenant_id=tenant_id, phone=phone, last_inbound_at__gte=since).exists()


def window_start(tenant_id, phone: str):
    """The stored start of the phone's window, as a subquery of the caller's own statement."""
    return Subquery(WhatsAppContact.objects.filter(tenant_id=tenant_id, phone=phone).values("last_inbound_at")[:1])
