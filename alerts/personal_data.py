"""What alerts hold of a person, for subject requests (tenants.privacy.personal_data): the notices sent to them and the
rules that name them.

A notice's words are about the tenant's figures, not about anyone, and stay as the record of who was told; an erased
person (their account anonymised and disabled) is taken off the rules that named them, so no rule lists them.
"""

from alerts.models import AlertNotice, AlertRule


def export_notices(person) -> list[dict]:
    notices = AlertNotice.objects.filter(recipient=person).select_related("incident__rule").order_by("created_at")
    return [
        {
            "at": notice.created_at.isoformat(),
            "rule": notice.incident.rule.name,
            "event": notice.event,
            "channel": notice.channel,
            "subject": notice.subject,
            "message": notice.message,
            "status": notice.status,
        }
        for notice in notices
    ]


def erase_notices(person, now) -> int:
    """Nothing to erase: the words are about the tenant's figures, and the row is the record of who was told."""
    return 0


def _naming(person):
    return AlertRule.notify_people.through.objects.filter(user=person)


def export_rules(person) -> list[dict]:
    return [
        {"rule": name} for name in _naming(person).order_by("alertrule__name").values_list("alertrule__name", flat=True)
    ]


def erase_rules(person, now) -> int:
    removed, _ = _naming(person).delete()
    return removed
