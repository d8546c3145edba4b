"""Approvals by reply: "approve BR-123456", "reject BR-123456 <reason>", or a template's quick-reply button.

The decision goes through the same HITL services as the admin (same locks, levels,
eligibility and audit), as the person the verified phone belongs to. An approval of
another tenant is "not found", as everywhere else.
"""

import re
from dataclasses import dataclass

from hitl.models import HITLDecision
from hitl.services import Context
from hitl.services.by_message import decide_by_reference

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
    context = Context(via=HITLDecision.Via.WHATSAPP, user_agent=f"WhatsApp {sid}")
    return decide_by_reference(user, command.reference, command.decision, command.reason, context=context)
