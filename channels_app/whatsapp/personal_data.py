"""What the WhatsApp channel holds of a person, for subject requests (tenants.privacy.personal_data): the numbers it
sent to them and when their phones last wrote (the 24-hour window)."""

from django.db.models import Q

from channels_app.whatsapp.models import WhatsAppContact, WhatsAppSend


def _sends(person):
    return WhatsAppSend.objects.filter(Q(message__conversation__user=person) | Q(notification__recipient=person))


def _contacts(person):
    phones = [phone.phone_number for phone in person.phone_numbers.all()]
    return WhatsAppContact.objects.filter(tenant_id=person.tenant_id, phone__in=phones)


def export_whatsapp(person) -> list[dict]:
    sends = [{"at": s.created_at.isoformat(), "to": s.to, "status": s.status} for s in _sends(person)]
    contacts = [{"phone": c.phone, "last_wrote_at": c.last_inbound_at.isoformat()} for c in _contacts(person)]
    return [*sends, *contacts]


def erase_whatsapp(person, now) -> int:
    return _sends(person).exclude(to="").update(to="") + _contacts(person).delete()[0]
