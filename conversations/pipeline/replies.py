"""The words of a reply: the engine's text, then one line per proposed action."""

from conversations.normalized import ActionOutcome
from hitl.models import ApprovalStatus


def compose(text: str, outcomes: list[ActionOutcome]) -> str:
    if outcomes and all(o.status == "refused" and o.summary in text for o in outcomes):
        text = ""  # the engine's text proposes what was refused: say only why it can't be proposed
    lines = [text.strip()]
    for outcome in outcomes:
        # The engine's text often states the summary already ("Proposed: …"): then the line only adds the reference.
        what = "" if outcome.summary in text else f": {outcome.summary}"
        if outcome.already_waiting:
            lines.append(f"That is already waiting for approval ({outcome.reference}){what}: I did not ask again.")
        elif outcome.status == "refused":
            lines.append(f"I can't propose “{outcome.summary}”: {outcome.reason}.")
        elif outcome.status == ApprovalStatus.PENDING:
            lines.append(f"Waiting for approval ({outcome.reference}){what}.")
        elif outcome.status == ApprovalStatus.REJECTED:
            lines.append(f"Rejected by your approval rules ({outcome.reference}){what}.")
        else:
            lines.append(f"Approved by your approval rules ({outcome.reference}){what}.")
    return "\n\n".join(line for line in lines if line)
