"""What HITL holds of a person, for subject requests (tenants.personal_data): the notifications sent to them.

Their approvals and decisions are business records and stay; they name the person only by account,
which erasure anonymises.
"""

from hitl.models import HITLNotification

ERASED = "[Erased at the person's request]"


def export_notifications(person) -> list[dict]:
    return [
        {
            "at": n.created_at.isoformat(),
            "channel": n.channel,
            "event": n.event,
            "to_email": n.recipient_email,
            "to_phone": n.recipient_phone,
            "subject": n.subject,
            "message": n.message,
            "status": n.status,
        }
        for n in HITLNotification.objects.filter(recipient=person).order_by("created_at")
    ]


def erase_notifications(person, now) -> int:
    return (
        HITLNotification.objects.filter(recipient=person)
        .exclude(message=ERASED)
        .update(recipient_email="", recipient_phone="", subject="", message=ERASED, provider_response={})
    )
