"""Telling the requester's conversation that an approval changed."""

from conversations.delivery import approval_changed, tell_requester
from hitl.models import HITLApproval


def announce(approval: HITLApproval, text: str | None = None) -> None:
    """In words when there is something to say (rejected, done, failed, expired); otherwise a status change."""
    if not approval.conversation_id:
        return
    fields = dict(
        approval_id=approval.pk, reference=approval.reference, status=approval.status, summary=approval.action_summary
    )
    if text:
        tell_requester(approval.conversation, text, **fields)
    else:
        approval_changed(approval.conversation, **fields)
