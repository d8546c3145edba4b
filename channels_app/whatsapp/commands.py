"""Approvals by reply: "approve BR-123456", "reject BR-123456 <reason>", or a template's quick-reply button.

The words are read by hitl.replies (email's grammar too); the decision goes through the same HITL
verbs as the admin (same locks, levels, eligibility and audit), as the person the verified phone
belongs to. An approval of another tenant is "not found", as everywhere else.
"""

from hitl.models import HITLDecision
from hitl.replies import Reply
from hitl.services.by_message import decide_by_reply
from tenants.privacy.audit import Origin


def decide(user, reply: Reply, *, sid: str) -> str:
    """Take the decision as `user`; returns what to tell them."""
    origin = Origin(via=HITLDecision.Via.WHATSAPP, user_agent=f"WhatsApp {sid}")
    return decide_by_reply(user, reply, origin=origin)
