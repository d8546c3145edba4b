"""Decisions written in a message ("approve BR-123456 …" by email or WhatsApp).

The same services, locks, levels, eligibility and audit as the admin; another tenant's
approval, or one the person may not see, is "not found", as everywhere else (hitl.access).
Returns what to tell the person.
"""

from hitl.access import approvals_for
from hitl.errors import DecisionError
from hitl.models import ApprovalStatus, HITLApproval
from hitl.services.decisions import Context, approve, reject


def decide_by_reference(user, reference: str, verb: str, text: str, *, context: Context) -> str:
    """`verb` is "approve" (`text`: optional notes) or "reject" (`text`: the required reason)."""
    approval = approvals_for(user).filter(reference=reference).only("pk").first()
    if approval is None:
        return f"No approval {reference} was found in your business; nothing changed."
    try:
        if verb == "approve":
            decided = approve(approval.pk, actor=user, notes=text, context=context)
        else:
            if not text:
                return f"A rejection needs a reason: reply “reject {reference} <your reason>”. Nothing changed."
            decided = reject(approval.pk, actor=user, reason=text, context=context)
    except DecisionError as error:
        return f"{reference}: {error.detail}"
    return _outcome(decided)


def _outcome(approval: HITLApproval) -> str:
    ref = approval.reference
    if approval.status == ApprovalStatus.REJECTED:
        return f"You rejected {ref}. It will not run."
    if approval.is_pending:
        return (
            f"Your approval of {ref} is recorded. It still needs other approvals "
            f"(now at level {approval.approval_level} of {approval.total_levels})."
        )
    return f"You approved {ref}. It will now be carried out."
