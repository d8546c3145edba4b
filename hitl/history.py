"""The approval's append-only history: one row for everything that happens to it."""

from hitl import console
from hitl.models import HITLApprovalHistory


def log(
    approval, event_type: str, description: str, *, actor=None, ip=None, previous_status="", changes=None, **metadata
):
    """Record the event, and show it live in the tenant's admin consoles (after commit)."""
    console.publish(approval, event_type)
    return HITLApprovalHistory.objects.create(
        tenant_id=approval.tenant_id,
        approval=approval,
        event_type=event_type,
        description=description,
        actor=actor,
        actor_role=getattr(actor, "role", "") or ("superuser" if getattr(actor, "is_superuser", False) else ""),
        actor_ip=ip,
        previous_status=previous_status,
        new_status=approval.status,
        changes=changes or {},
        metadata=metadata,
    )
