"""Commands written in an email's first line: approve, reject, brief, and naming an agent ("SEO: …").

approve/reject go through the HITL decision services, so the permission checks and the audit
are the admin's. Each command answers in words; a refused one changes nothing.
"""

import re
from dataclasses import dataclass

from agents.models import AgentType
from hitl.errors import DecisionError
from hitl.models import ApprovalStatus, HITLApproval, HITLDecision
from hitl.services.decisions import Context, approve, reject

DECISION = re.compile(r"^\s*(?P<verb>approve|reject)\s+(?P<ref>BR-\d{6})\b[ \t:,.-]*(?P<notes>.*)$", re.I | re.S)
BRIEF = re.compile(r"^\s*brief\s*[.!]?\s*$", re.I)
AGENT_NAMES = {
    **{label.lower(): value for value, label in AgentType.choices},
    **{value.replace("_", " "): value for value in AgentType.values},
    "ads": AgentType.PAID_ADS,
    "audience": AgentType.AUDIENCE,
}
ADDRESSED = re.compile(rf"^\s*(?P<agent>{'|'.join(map(re.escape, AGENT_NAMES))})\s*:\s*(?P<text>.+)$", re.I | re.S)
BRIEF_NOT_AVAILABLE = (
    "The daily brief is not available yet: Walker does not build briefs so far. "
    "Nothing was sent; this command will work once briefs are built."
)
UNVERIFIED = (
    "We could not verify that this email comes from your address (neither SPF nor DKIM passed), "
    "so nothing changed. Decide in Walker or with the buttons in the approval email."
)


@dataclass(frozen=True)
class Addressed:
    agent_type: str
    text: str


def is_command(body: str) -> bool:
    return bool(DECISION.match(body) or BRIEF.match(body))


def addressed_agent(body: str) -> Addressed | None:
    """'SEO: how are our rankings?' names the SEO agent."""
    match = ADDRESSED.match(body)
    if not match:
        return None
    return Addressed(AGENT_NAMES[match["agent"].lower()], match["text"].strip())


def run(user, body: str, *, authenticated: bool) -> str:
    """Carry out the command in `body` for `user`; the answer to send back."""
    if BRIEF.match(body):
        return BRIEF_NOT_AVAILABLE
    match = DECISION.match(body)
    if not authenticated:
        return UNVERIFIED
    reference = match["ref"].upper()
    notes = " ".join(match["notes"].split("\n\n")[0].split())  # the rest of the first paragraph
    approval = HITLApproval.objects.filter(tenant_id=user.tenant_id, reference=reference).first()
    if approval is None:
        return f"There is no approval {reference} in your business; nothing changed."
    context = Context(via=HITLDecision.Via.EMAIL)
    try:
        if match["verb"].lower() == "approve":
            approval = approve(approval.pk, actor=user, notes=notes, context=context)
        else:
            if not notes:
                return f"A rejection needs a reason: reply 'reject {reference} <reason>'. Nothing changed."
            approval = reject(approval.pk, actor=user, reason=notes, context=context)
    except DecisionError as error:
        return f"{reference}: {error.detail}"
    return _outcome(approval)


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
