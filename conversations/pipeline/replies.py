"""The words of a reply: the engine's text, then one line per proposed action."""

from django.utils.translation import gettext as _

from conversations.normalized import REFUSED, ActionOutcome
from hitl.models import ApprovalStatus


def compose(text: str, outcomes: list[ActionOutcome]) -> str:
    if outcomes and all(o.status == REFUSED and o.summary in text for o in outcomes):
        text = ""  # the engine's text proposes what was refused: say only why it can't be proposed
    lines = [text.strip()]
    for outcome in outcomes:
        # The engine's text often states the summary already ("Proposed: …"): then the line only adds the reference.
        what = "" if outcome.summary in text else f": {outcome.summary}"
        if outcome.already_waiting:
            line = _("That is already waiting for approval (%(reference)s)%(what)s: I did not ask again.")
        elif outcome.status == REFUSED:
            line = _("I can't propose “%(summary)s”: %(reason)s.")
        elif outcome.status == ApprovalStatus.PENDING:
            line = _("Waiting for approval (%(reference)s)%(what)s.")
        elif outcome.status == ApprovalStatus.REJECTED:
            line = _("Rejected by your approval rules (%(reference)s)%(what)s.")
        else:
            line = _("Approved by your approval rules (%(reference)s)%(what)s.")
        about = {"reference": outcome.reference, "what": what, "summary": outcome.summary, "reason": outcome.reason}
        lines.append(line % about)
    return "\n\n".join(line for line in lines if line)
