"""The one way every app records a platform event."""

from analytics.models import PlatformEvent


def event(event_type: str, *, tenant, user=None, conversation_id=None, subject_id=None, **metadata) -> PlatformEvent:
    """An unsaved event. `tenant` is a Tenant or its id (so callers holding only the id cost no query)."""
    return PlatformEvent(
        tenant_id=getattr(tenant, "pk", tenant),
        user=user,
        event_type=event_type,
        conversation_id=conversation_id,
        subject_id=subject_id,
        metadata=metadata,
    )


def record(event_type: str, **fields) -> PlatformEvent:
    """Append one event (the fields of `event`)."""
    row = event(event_type, **fields)
    row.save(force_insert=True)
    return row


def record_many(events: list[PlatformEvent]) -> list[PlatformEvent]:
    """Append events made with `event` in one statement (a job recording what it found)."""
    return PlatformEvent.objects.bulk_create(events)
