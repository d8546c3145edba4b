"""Whether a message is plainly in a language the built-in engine does not read (it reads English and Spanish,
agents.understanding.language).

A count of very common function words, not a language model: a message is taken as another language
only when it has several such words of one other language and none of English, so names, numbers and
short replies ("ok", "Summer Sale?") always pass.
"""

import re

from agents.understanding.language import spanish_words
from agents.understanding.text import vocabulary

ENGLISH = vocabulary(
    "the an is are was of to in on for and or my our your it this that what how which who can could "
    "please do does did with from by at be have has i we you me us"
)
OTHERS = {
    "French": vocabulary(
        "le la les est sont de des du que pour une avec mon ma nos comment quel quelle est-ce bonjour"
    ),
    "German": vocabulary("der die das ist sind den dem und für mit mein meine unser wie welche kampagne bitte"),
    "Portuguese": vocabulary("o os é são de do da dos que para uma com meu minha nossa como qual está olá"),
    "Italian": vocabulary("il lo gli è sono della che per una con mio mia nostra come quale ciao"),
}
MIN_HITS = 2

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?", re.UNICODE)


def other_language(text: str) -> str | None:
    """The language `text` is plainly written in when that is neither English nor Spanish, else None."""
    words = [w.lower() for w in _WORD.findall(text)]
    if any(w in ENGLISH for w in words):
        return None
    hits = {language: sum(w in vocabulary for w in words) for language, vocabulary in OTHERS.items()}
    language = max(hits, key=hits.get)
    return language if hits[language] >= max(MIN_HITS, spanish_words(text)) else None
