"""Pick the agent for a message: the one the channel names, else the one the words point to.

With the tenant, the message is read by agents.understanding (the agent of what it asks, or of the row it
names; a follow-up stays with the conversation's agent). Without it, or when the message asks nothing an
agent owns (greetings, help), scoring is by weighted cue words and phrases. A message with no cue stays with
the conversation's current agent (a follow-up such as "and last month?"), and
a brand-new conversation with no cue goes to Paid Ads, the general entry point.
"""

import re

from agents.models import AgentType
from agents.understanding import Understanding, understand

# (pattern, weight). Phrases beat single words; a word shared by two agents weighs less.
_CUES: dict[str, list[tuple[str, int]]] = {
    AgentType.PAID_ADS: [
        (r"\bcampaigns?\b", 3),
        (r"\bbudgets?\b", 4),
        (r"\bad ?spend\b", 3),
        (r"\bspend(ing)?\b", 2),
        (r"\broas\b", 3),
        (r"\bcpa\b", 3),
        (r"\bctr\b", 3),
        (r"\bcpc\b", 3),
        (r"\bcpm\b", 3),
        (r"\b(google|meta|facebook) ads\b", 3),
        (r"\bads?\b", 2),
        (r"\badvert", 2),
        (r"\bbids?\b", 2),
        (r"\bconversions?\b", 1),
        (r"\bclicks?\b", 1),
        (r"\bimpressions?\b", 1),
        (r"\bpause\b", 1),
        (r"\bresume\b", 1),
        (r"\bcost per\b", 2),
        (r"\breturn on ad\b", 3),
    ],
    AgentType.SEO: [
        (r"\bseo\b", 4),
        (r"\bkeywords?\b", 3),
        (r"\brank(s|ing|ings|ed)?\b", 3),
        (r"\bserps?\b", 3),
        (r"\borganic\b", 2),
        (r"\bsearch (results|position|volume|traffic)\b", 3),
        (r"\bbacklinks?\b", 3),
        (r"\bposition(s)?\b", 1),
        (r"\bpage one\b", 2),
        (r"\bfirst page\b", 2),
        (r"\bgoogle search\b", 2),
    ],
    AgentType.CONTENT: [
        (r"\bcontent\b", 3),
        (r"\bposts?\b", 2),
        (r"\bblog\b", 3),
        (r"\barticles?\b", 3),
        (r"\bpublish", 3),
        (r"\bschedul", 2),
        (r"\bnewsletter\b", 3),
        (r"\bvideos?\b", 1),
        (r"\bcaptions?\b", 2),
        (r"\bengagement\b", 2),
        (r"\b(instagram|linkedin|tiktok) (post|reel|story)", 3),
        (r"\bdrafts?\b", 2),
        (r"\bguide\b", 1),
        (r"\beditorial\b", 2),
    ],
    AgentType.AUDIENCE: [
        (r"\baudiences?\b", 4),
        (r"\bsegments?\b", 3),
        (r"\bretarget", 4),
        (r"\blookalikes?\b", 4),
        (r"\bdemographic", 3),
        (r"\bcustomers?\b", 1),
        (r"\bfollowers?\b", 2),
        (r"\bpersonas?\b", 2),
        (r"\bcart abandon", 3),
        (r"\bgrowing fastest\b", 2),
        (r"\bwho (buys|are our)\b", 2),
    ],
}
_COMPILED = {agent: [(re.compile(p, re.IGNORECASE), w) for p, w in cues] for agent, cues in _CUES.items()}

DEFAULT_AGENT = AgentType.PAID_ADS


def scores(text: str) -> dict[str, int]:
    return {agent: sum(w for pattern, w in cues if pattern.search(text)) for agent, cues in _COMPILED.items()}


HANDOVER_SCORE = 4  # how clearly a message must be another agent's job to leave the agent the person chose


def handover(text: str, requested: str) -> str | None:
    """The agent to hand a message to when the person chose one it is plainly not for ("raise the budget" asked
    of SEO), else None."""
    by_agent = scores(text)
    if by_agent.get(requested, 0) > 0:
        return None
    best = max(by_agent, key=by_agent.get)
    return best if by_agent[best] >= HANDOVER_SCORE else None


def route(text: str, *, requested: str | None = None, current: str | None = None, tenant=None, history=()) -> str:
    """The agent type for `text`. `requested`: named by the channel (kept unless the message is plainly another
    agent's job, see `handover`); `current`: the conversation's agent. With the `tenant` (and the conversation's
    `history`), the message is read by agents.understanding: what it asks, and the tenant's names in it."""
    if requested and requested not in AgentType.values:
        raise ValueError(f"Unknown agent {requested!r}; choose one of {', '.join(AgentType.values)}.")
    if tenant is not None:
        understood = understand(text, tenant, history)
        if understood.agent and (not requested or _plainly_other(understood, requested)):
            return understood.agent
        if requested:
            return requested
    if requested:
        return handover(text, requested) or requested
    by_agent = scores(text)
    best = max(by_agent.values())
    if best == 0:
        return current or DEFAULT_AGENT
    leaders = [agent for agent, score in by_agent.items() if score == best]
    if current in leaders:  # a tie keeps the conversation where it is
        return current
    return leaders[0]


def _plainly_other(understood: Understanding, requested: str) -> bool:
    """A message for another agent than the one chosen: an action of its, or a question about its row."""
    if understood.agent == requested or understood.intent == "unknown":
        return False
    return understood.is_action or (understood.entity is not None and understood.entity.exact)
