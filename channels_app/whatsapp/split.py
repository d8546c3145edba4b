"""Twilio refuses WhatsApp bodies over 1,600 characters: longer replies go as several, cut between sentences."""

import re

LIMIT = 1600
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut after a sentence (else at a space, else anywhere)."""
    text = text.strip()
    parts = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max((m.end() for m in SENTENCE_END.finditer(window) if m.end() <= limit), default=0)
        if cut == 0:
            cut = window.rfind(" ") + 1 or limit
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts
