"""Whether a message asks for a person instead of the agents, in English or Spanish ("talk to a person", "can
someone from the team call me", "quiero hablar con una persona").

Phrases, not single words: "persona" is also a marketing word ("our buyer persona", "segmento de personas") and
"agent" names Walker's own agents ("talk to the SEO agent"), so a person is asked for only by a verb of talking or
calling aimed at a person, a human or the team, and not said with a negation ("I don't need a human"). Read clause
by clause on folded text (no accents, lower case), and only its first MAX_CHARS characters, so a long message costs
the same as a short one.
"""

import re

from agents.understanding.text import fold

MAX_CHARS = 20_000

_A_PERSON_EN = (
    r"(?:(?:a|an|some|one|the|your)\s+)?(?:real\s+|actual\s+|live\s+)?"
    r"(?:person|human(?:\s+being)?|human\s+agent|live\s+agent|real\s+agent|someone|somebody|anyone|anybody|"
    r"representative|rep|team\s+member|member\s+of\s+(?:the|your)\s+team|(?:your|the)\s+team|staff|support)"
)
_A_PERSON_ES = (
    r"(?:(?:una?|algun|alguna|el|la)\s+)?"
    r"(?:persona(?:\s+real|\s+de\s+verdad)?|humano|ser\s+humano|agente\s+humano|alguien|asesor|asesora|"
    r"representante|equipo|soporte)"
)
_PHRASES = [
    # English: talking to one, being called by one, or a plain "human please".
    rf"\b(?:talk|speak|chat)\s+(?:to|with)\s+{_A_PERSON_EN}\b",
    rf"\b(?:connect|transfer|put)\s+me\s+(?:through\s+)?(?:to|with)\s+{_A_PERSON_EN}\b",
    r"\b(?:someone|somebody|anyone|anybody|a\s+person|a\s+human)(?:\s+(?:from|on|of)\s+(?:the|your)\s+team)?"
    r"\s+(?:to\s+|can\s+|could\s+|please\s+|will\s+)?call\s+me\b",
    r"\bcall\s+me\s+back\b",
    r"\b(?:i\s+(?:want|need|would\s+like|d\s+like)\s+(?:a|to\s+talk\s+to\s+a)\s+)?(?:real\s+)?human\s+(?:please|now)\b",
    r"\b(?:i\s+)?(?:want|need)\s+(?:a\s+)?(?:real\s+)?(?:human|person)\b",
    # Spanish: hablar con alguien, que me llame alguien, alguien me puede llamar, pásame con un humano.
    rf"\bhablar\s+con\s+{_A_PERSON_ES}\b",
    rf"\b(?:pasame|pasenme|comunicame|comuniquenme|ponme)\s+con\s+{_A_PERSON_ES}\b",
    r"\b(?:alguien|una\s+persona)(?:\s+del\s+equipo|\s+de\s+ustedes)?\s+(?:me\s+)?(?:puede|podria|pueden)\s+"
    r"(?:me\s+)?llamar(?:me)?\b",
    r"\bque\s+me\s+llame\s+(?:alguien|una\s+persona|el\s+equipo)\b",
    r"\b(?:llamenme|llamame)\b",
    r"\b(?:quiero|necesito)\s+(?:una\s+persona|un\s+humano|alguien)\b",
]
_ASKS = re.compile("|".join(f"(?:{phrase})" for phrase in _PHRASES))
# "I don't want to talk to a person", "no hace falta que me llame alguien": a negation up to four words before the
# ask, in the same clause ("No, I want to talk to a person" asks: its "no" ends at the comma).
_NEGATED = re.compile(
    r"\b(?:don\s+t|dont|do\s+not|does\s+not|doesn\s+t|didn\s+t|not|never|no|nunca|tampoco|ni)"
    r"(?:\s+[a-z]+){0,4}\s*$"
)
_CLAUSES = re.compile(r"[.,;:!?¡¿\n]+")


def asks_for_person(text: str) -> bool:
    """True when `text` asks to talk to (or be called by) a person of the team rather than the agents."""
    return any(_asks_in(clause) for clause in _CLAUSES.split(text[:MAX_CHARS]))


def _asks_in(clause: str) -> bool:
    folded = fold(clause)
    return any(_NEGATED.search(folded[: ask.start()]) is None for ask in _ASKS.finditer(folded))
