"""The one grammar of decisions written in a message, by email or WhatsApp.

"approve BR-123456", "approve BR-123456 looks good", "reject BR-123456: too expensive this month", and the same
with the Spanish verbs ("aprobar", "rechazar"), in any case. What follows the reference is the note or the reason,
its spacing collapsed. A channel gives the grammar the text its writer wrote: email, whose quoted history and
signature follow a blank line, gives only its first paragraph (channels_app.email.commands).
"""

import re
from dataclasses import dataclass

WORDS = {"approve": "approve", "aprobar": "approve", "reject": "reject", "rechazar": "reject"}  # word: verb
SENTENCE = re.compile(
    rf"^\s*(?P<word>{'|'.join(WORDS)})\s+(?P<reference>BR-\d{{6}})\b[ \t:,.-]*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class Reply:
    verb: str  # a verb of hitl.services.verbs
    reference: str
    note: str


def read(text: str) -> Reply | None:
    """The decision `text` writes, or None when it is an ordinary message."""
    match = SENTENCE.match(text or "")
    if match is None:
        return None
    note = " ".join(match["rest"].split())
    return Reply(WORDS[match["word"].lower()], match["reference"].upper(), note)
