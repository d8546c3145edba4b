"""Commands written in an email's first line: approve, reject, the channel commands (channels_app.commands: "brief"),
and naming an agent ("SEO: …").

approve/reject are read by hitl.replies (WhatsApp's grammar too) and go through the HITL verbs, so the
permission checks and the audit are the admin's. Each command answers in words; a refused one changes
nothing. Only an email that proved its sender gets here (inbound), except "brief".
"""

import re
from dataclasses import dataclass

from agents.models import AgentType
from channels_app.commands import command_for
from hitl import replies
from hitl.models import HITLDecision
from hitl.services.by_message import decide_by_reply
from tenants.privacy.audit import Origin

AGENT_NAMES = {
    **{label.lower(): value for value, label in AgentType.choices},
    **{value.replace("_", " "): value for value in AgentType.values},
    "ads": AgentType.PAID_ADS,
    "audience": AgentType.AUDIENCE,
}
ADDRESSED = re.compile(rf"^\s*(?P<agent>{'|'.join(map(re.escape, AGENT_NAMES))})\s*:\s*(?P<text>.+)$", re.I | re.S)


@dataclass(frozen=True)
class Addressed:
    agent_type: str
    text: str


def is_command(body: str) -> bool:
    return decision_in(body) is not None or command_for(body) is not None


def decision_in(body: str) -> replies.Reply | None:
    """The decision an email writes: in its first paragraph, since quoted history and a signature follow a blank
    line."""
    return replies.read(body.split("\n\n")[0])


def addressed_agent(body: str) -> Addressed | None:
    """'SEO: how are our rankings?' names the SEO agent."""
    match = ADDRESSED.match(body)
    if not match:
        return None
    return Addressed(AGENT_NAMES[match["agent"].lower()], match["text"].strip())


def run(user, body: str) -> str:
    """Carry out the command in `body` for `user`, whose email proved its sender (inbound; "brief" needs no proof:
    it sends the brief to the sender's own address); the answer to send back ("" when the command's own email is
    the answer)."""
    if (channel_command := command_for(body)) is not None:
        return channel_command.run(user) or ""  # the work queued is an email of its own (the brief)
    return decide_by_reply(user, decision_in(body), origin=Origin(via=HITLDecision.Via.EMAIL))
