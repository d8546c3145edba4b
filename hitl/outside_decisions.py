"""The decision on a request from an agent outside Walker, as that agent reads it (`/api/v1/approval-requests/`).

`type` is one of accept, edit, respond and reject; `args` are the args to act on (an approver's edits included),
bound by `args_sha256`; the agent acts only on an accept or an edit, and only with these args. A request that ended
without an approver's yes (expired, cancelled, superseded) reads as a reject: silence never approves.
"""

from django.utils.translation import gettext as _

from conversations.delivery import display_name
from hitl.history import Event
from hitl.models import Answer, ApprovalRequest, ApprovalStatus
from hitl.services.outside import args_sha256

APPROVED = {ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING, ApprovalStatus.EXECUTED, ApprovalStatus.FAILED}
ENDED_UNAPPROVED = {ApprovalStatus.EXPIRED, ApprovalStatus.CANCELLED, ApprovalStatus.SUPERSEDED}


def decision_of(asked: ApprovalRequest) -> dict | None:
    """The decision the agent receives; None while the request waits."""
    approval = asked.approval
    if approval.status in APPROVED:
        edited = args_sha256(approval.action_data) != asked.args_sha256
        return _decision(
            Answer.EDIT if edited else Answer.ACCEPT,
            approval.action_data,
            approval.approval_notes,
            approval.approved_by,
            approval.approved_at,
        )
    if approval.status == ApprovalStatus.REJECTED:
        reason = approval.rejection_reason
        return _decision(Answer.REJECT, approval.action_data, reason, approval.rejected_by, approval.rejected_at)
    if approval.status == ApprovalStatus.REVISING:
        note = approval.history.filter(event_type=Event.RESPONDED).select_related("actor").order_by("-timestamp")
        entry = note.first()
        return _decision(Answer.RESPOND, approval.action_data, entry.description, entry.actor, entry.timestamp)
    if approval.status in ENDED_UNAPPROVED:
        ended = approval.history.filter(new_status=approval.status).select_related("actor").order_by("-timestamp")
        entry = ended.first()
        note = entry.description if entry else approval.get_status_display()
        return _decision(Answer.REJECT, approval.action_data, note, entry and entry.actor, approval.resolved_at)
    return None


def _decision(kind: str, args: dict, note: str, person, at) -> dict:
    return {
        "type": kind,
        "args": args,
        "args_sha256": args_sha256(args),
        "note": note or "",
        "decided_by": display_name(person) if person is not None else _("Walker, on its own"),
        "decided_at": at,
    }
