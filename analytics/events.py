"""The one way every app records a platform event."""

from analytics.models import PlatformEvent


def record(event_type: str, *, tenant, user=None, conversation_id=None, subject_id=None, **metadata) -> PlatformEvent:
    """Append one event. `tenant` is a Tenant or its id (so callers holding only the id cost no query)."""
    return PlatformEvent.objects.create(
        tenant_id=getattr(tenant, "pk", tenant),
        user=user,
        event_type=event_type,
        conversation_id=conversation_id,
        subject_id=subject_id,
        metadata=metadata,
    )
