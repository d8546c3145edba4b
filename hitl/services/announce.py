"""Telling the requester's conversation that an approval changed."""

from collections.abc import Callable

from conversations.delivery import approval_changed, tell_requester
from hitl import told
from hitl.models import HITLApproval
from tenants.languages import speaking


def announce(approval: HITLApproval, text: str | Callable[[], str] | None = None) -> None:
    """In words when there is something to say (a level passed, an edit or a note, rejected, done, failed,
    expired); otherwise a status change.

    `text` given as a function is written in the requester's language (the callers' words are gettext).
    """
    if not approval.conversation_id:
        return
    if callable(text):
        with speaking(approval.conversation.user):
            text = text()
    fields = dict(
        approval_id=approval.pk,
        reference=approval.reference,
        status=approval.status,
        summary=approval.action_summary,
        **told.chip(approval),  # level progress and who changed it, for the chip beside the request
    )
    if text:
        tell_requester(approval.conversation, text, **fields)
    else:
        approval_changed(approval.conversation, **fields)
