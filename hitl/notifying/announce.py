"""Telling the requester's conversation that an approval changed."""

from collections.abc import Callable

from django.utils import translation

from conversations.delivery import approval_changed, tell_requester
from hitl.models import HITLApproval
from hitl.notifying import told


def announce(approval: HITLApproval, text: str | Callable[[], str] | None = None) -> None:
    """In words when there is something to say (a level passed, an edit or a note, rejected, done, failed,
    expired); otherwise a status change.

    `text` given as a function is written, like the chip's summary, in the language the request was made in (the
    message that asked; the requester's setting for a request filed before that was kept). The callers' words are
    gettext.
    """
    if not approval.conversation_id:
        return
    with translation.override(told.requesters_language(approval)):
        if callable(text):
            text = text()
        summary = approval.summary
    fields = dict(
        approval_id=approval.pk,
        reference=approval.reference,
        status=approval.status,
        summary=summary,
        **told.chip(approval),  # level progress and who changed it, for the chip beside the request
    )
    if text:
        tell_requester(approval.conversation, text, **fields)
    else:
        approval_changed(approval.conversation, **fields)
