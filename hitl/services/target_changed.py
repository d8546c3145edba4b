"""Telling a waiting approval's approvers that its target changed elsewhere (a campaign changed on its ad platform
outside Walker, say: the app above hitl that saw it passes its words down), once per change, recorded in the
approval's history. The decision stays the approvers': nothing here approves, rejects or cancels.

Once, under two callers at once: the approval's row is locked and its history asked whether this change was told.
"""

from django.db import transaction

from core.sentence import Sentence
from hitl.history import Event, log
from hitl.models import ApprovalStatus, HITLApproval
from hitl.notifying.approvers import Notice, notify


@transaction.atomic
def tell_target_changed(approval_id, *, change: str, said: Sentence) -> bool:
    """Tell the approvers of the waiting approval `approval_id` what `said` says (told in each one's language, in
    the history as in their notices) about the change identified by `change`; False when it no longer waits or was
    told of it already."""
    approval = HITLApproval.objects.select_for_update(of=("self",)).filter(pk=approval_id).first()
    if approval is None or approval.status != ApprovalStatus.PENDING:
        return False
    if approval.history.filter(event_type=Event.TARGET_CHANGED, metadata__change=change).exists():
        return False
    log(approval, Event.TARGET_CHANGED, said, change=change)
    notify(approval, Notice.TARGET_CHANGED, detail=lambda: str(said))
    return True
