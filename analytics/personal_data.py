"""What analytics holds of a person, for subject requests (tenants.privacy.personal_data): the log of emails sent to
them.

The rows stay, for delivery counts; the address, the subject and the provider's words on a failure (which may
quote the address) go. The other analytics rows name people by id only (platform events, the approval
analytics' top approvers), so the anonymised account is all they point at after an erasure.
"""

from analytics.models import EmailDeliveryLog


def _theirs(person):
    return EmailDeliveryLog.objects.filter(user=person)


def export_email_deliveries(person) -> list[dict]:
    return [
        {
            "at": log.created_at.isoformat(),
            "to": log.to_address,
            "type": log.email_type,
            "subject": log.subject,
            "status": log.status,
        }  # fmt: skip
        for log in _theirs(person).order_by("created_at")
    ]


def erase_email_deliveries(person, now) -> int:
    return (
        _theirs(person)
        .exclude(to_address="", sealed_subject="", failure_reason="")
        .update(to_address="", to_address_hash="", sealed_subject="", subject_values="", failure_reason="")
    )
