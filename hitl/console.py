"""Live updates for the admin console: every approval event goes to the tenant's console group after commit."""

from django.db import transaction

from config import layer
from hitl.models import HITLApproval


def console_group(tenant_id) -> str:
    """The channel-layer group every open admin console of a tenant listens to."""
    return f"console.{tenant_id}"


def publish(approval: HITLApproval, event: str) -> None:
    """`event`: created, approved, rejected, escalated, executed, failed, expired, cancelled, updated."""
    message = {
        "type": "console.event",
        "event": f"approval.{event}",
        "approval_id": str(approval.pk),
        "reference": approval.reference,
        "status": approval.status,
        "risk_level": approval.risk_level,
        "summary": approval.action_summary,
        "tenant_id": str(approval.tenant_id),
    }
    for group in (console_group(approval.tenant_id), console_group("all")):  # "all": superusers' consoles
        transaction.on_commit(lambda group=group: layer.group_send(group, message))
