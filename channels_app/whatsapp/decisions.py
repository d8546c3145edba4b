"""Approvals by reply: "approve BR-123456", "reject BR-123456 <reason>", or a template's quick-reply button.

The decision goes through the same HITL services as the admin (same locks, levels,
eligibility and audit), as the person the verified phone belongs to. An approval of
another tenant is "not found", as everywhere else.
"""

import re
from dataclasses import dataclass

from hitl.errors import DecisionError
from hitl.models import ApprovalStatus, HITLApproval, HITLDecision
from hitl.services import Context, approve, reject

COMMAND = re.compile(r"^\s*(approve|reject)\s+(BR-\d{6})\b[\s:,.-]*(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Command:
    decision: str
    reference: str
    reason: str


def parse(text: str) -> Command | None:
    """A decision command, or None when the text is an ordinary message for the agents."""
    match = COMMAND.match(text or "")
    if match is None:
        return None
    decision, reference, reason = match.groups()
    return Command(decision.lower(), reference.upper(), reason.strip())


def decide(user, command: Command, *, sid: str) -> str:
    """Take the decision as `user`; returns what to tell them."""
    approval = HITLApproval.objects.for_user(user).filter(reference=command.reference).only("pk").first()
    if approval is None:
        return f"No approval {command.reference} was found in your business; nothing changed."
    context = Context(via=HITLDecision.Via.WHATSAPP, user_agent=f"WhatsApp {sid}")
    try:
        if command.decision == HITLDecision.Decision.APPROVE:
            decided = approve(approval.pk, actor=user, context=context)
        else:
            if not command.reason:
                return f"Say why: reply “reject {command.reference} <your reason>”. Nothing changed."
            decided = reject(approval.pk, actor=user, reason=command.reason, context=context)
    except DecisionError as error:
        return f"{command.reference}: {error.detail}"
    return _done(decided)


def _done(approval: HITLApproval) -> str:
    ref = approval.reference
    if approval.status == ApprovalStatus.REJECTED:
        return f"You rejected {ref}. It will not run."
    if approval.is_pending:
        return (
            f"Your approval of {ref} is recorded. It still needs other approvals "
            f"(now at level {approval.approval_level} of {approval.total_levels})."
        )
    return f"You approved {ref}. It will now be carried out."
