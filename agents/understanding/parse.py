"""One parser for every built-in agent: a message (and its conversation) -> `Understanding`.

Scoring, not a ladder: every action type's and question family's words (data) give it points; a name of
the tenant of the kind it acts on adds more ("publish" and a post's title; "raise" and a campaign), so
the verb decides between entity kinds and the entity between verbs. Without a name, a follow-up takes the
conversation's: its last entity of the right kind, or the subject of its last "which is the best/worst"
answer. A message that asks nothing new ("and Brand Search?", "and last month?") asks the previous
question again about what it names.
"""

import re
from dataclasses import dataclass, field, replace

from agents.action_specs import SPECS
from agents.action_specs.phrasings import PHRASINGS
from agents.models import AgentType
from agents.reading import keep, kept
from agents.understanding.entities import Catalogue, Mention
from agents.understanding.language import detect
from agents.understanding.questions import ABOUT_PEOPLE, GREETING, HELP, OPEN_QUESTION, QUESTIONS, THANKS
from agents.understanding.text import fold

LEAD_IN = re.compile(
    r"^(?:(?:please|pls|kindly|ok|okay|yes|also|then|and|so|now|hey|can you|could you|would you|can we|could we"
    r"|let's|lets|let us|i want to|i'd like to|i would like to|we should|we need to|go ahead and|just"
    r"|por favor|porfa|vale|si|bueno|y|tambien|ahora|quiero|quisiera|puedes|podrias|podemos|vamos a|hay que"
    r"|necesito|me gustaria)\s+)+"
)
FOLLOW_UP = re.compile(r"^(and|what about|how about|same for|y|y que tal|que tal|y para|and for)\b")
PRONOUN = re.compile(
    r"\b(it|its|that|this|them|that one|this one|those|the same)\b"
    r"|\b(esa|ese|eso|esta|este|la misma|el mismo)\b|\w+(lo|la|los|las)\b"
)
SUPERLATIVE = {
    # "la mejor", "el peor"; a bare "mejor" opening a sentence is "rather" ("mejor ponlo en 650").
    # "la campaña que mejor funciona": the same question as "our best performing campaign", the same measure.
    "best": r"\b(best|top)\b|\b(el|la|los|las|lo|nuestr[oa]s?|mi|mis) mejor(es)?\b|\bmejor(es)? (campana|anuncio)"
    r"|\bque mejor (funciona|rinde|va|anda)\b|\b(que|cual) campana (funciona|rinde|va|anda) mejor\b"
    r"|\bmejor(es)? (rendimiento|resultados?|desempeno)\b",
    "worst": r"\b(worst|bottom)\b|\b(el|la|los|las|lo|nuestr[oa]s?|mi|mis) peor(es)?\b|\bpeor(es)? (campana|anuncio)"
    r"|\bque peor (funciona|rinde|va|anda)\b|\b(que|cual) campana (funciona|rinde|va|anda) peor\b"
    r"|\bpeor(es)? (rendimiento|resultados?|desempeno)\b",
    "highest": r"\b(highest|most|biggest|largest|priciest|mas alt[oa]|mayor)\b",
    "lowest": r"\b(lowest|least|fewest|smallest|cheapest|mas baj[oa]|menor)\b",
}
METRICS = {
    "cpa": r"\b(cpa|cost per (acquisition|conversion|sale|customer)|per conversion|coste por|costo por)\b",
    "roas": r"\b(roas|return on ad spend|return|retorno)\b",
    "ctr": r"\b(ctr|click ?through( rate)?)\b",
    "conversions": r"\b(conversions?|sales|conversiones|ventas)\b",
    "spend": r"\b(spend|spent|spending|costs? the most|gast\w*)\b",
}
# A capitalised name beside the kind of row it is: "the Moon Landing campaign", "la campaña Luna Nueva".
_NAME = r"[A-Z0-9][\w'’-]*(?:\s+[A-Z0-9][\w'’-]*){0,3}"
NAMED_ROW = re.compile(
    rf"\b(?:the|our|my|la|el|nuestra|nuestro|mi)\s+({_NAME})\s+(?:campaign|audience|segment|post|article)s?\b"
    rf"|\b(?:campaign|audience|segment|campaña|campana|audiencia|segmento)\s+(?:called\s+|named\s+|llamad[ao]\s+)?"
    rf"({_NAME})"
)
METRIC_NAMES = {"roas", "cpa", "ctr", "cpc", "cpm", "seo"}
ENTITY_BONUS = {True: 4, False: 3}  # an exact name, a near one
FOLLOW_UP_BONUS = 2
ONE_WORD_ASKS = 2  # the points the rest of a message must ask of a row for one word of its name to name it
# A new audience's basis is named in full: "an audience of shoppers who…" describes people, not "Lapsed Shoppers".
IN_FULL = {"create_audience"}
MIN_SCORE = 3
ACTION_AGENT = {action_type: next(iter(spec.agents)) for action_type, spec in SPECS.items()}
SMALL_TALK = ("greeting", "thanks", "help", "unknown")


@dataclass
class Understanding:
    language: str | None  # "en", "es", or None when the words do not say
    intent: str  # an action type, a question family, or greeting | thanks | help | unknown
    agent: str | None  # the agent whose job it is; None: whichever the conversation is with
    entity: Mention | None = None
    slots: dict = field(default_factory=dict)
    from_context: bool = False  # the entity (or the question) came from earlier turns
    ambiguous: tuple[Mention, ...] = ()  # two rows of different kinds fit equally: ask which
    mentions: tuple[Mention, ...] = ()
    catalogue: Catalogue | None = field(default=None, repr=False, compare=False)  # the names it was read against

    @property
    def is_action(self) -> bool:
        return self.intent in PHRASINGS

    def name(self, kind: str) -> str | None:
        return self.entity.name if self.entity is not None and self.entity.kind == kind else None


def understand(text: str, tenant, history=()) -> Understanding:
    """What `text` asks of the tenant's agents. `history`: earlier turns (items with `role` and `text`).

    Read once per message inside `agents.reading.one_reading`: routing and the built-in engine ask the same.
    """
    key = (Understanding, tenant.pk, text, tuple(history))
    held = kept(key)
    return held if held is not None else keep(key, _understood(text, history, Catalogue.of(tenant)))


def _understood(text: str, history, catalogue: Catalogue) -> Understanding:
    understood = replace(_read(text, catalogue), catalogue=catalogue)
    if understood.intent in SMALL_TALK[:3] or (understood.entity is not None and not _wants_context(understood)):
        return understood
    if understood.entity is None and re.search(r"['\"‘“].+['\"’”]", text) and understood.is_action:
        return understood  # a quoted name that matches nothing is not the conversation's row
    if understood.entity is None and understood.is_action and (unknown := _unknown_name(text)):
        return replace(understood, slots={**understood.slots, "unknown_name": unknown})  # nor is "the Moon X campaign"
    context = _context(history, catalogue)
    return replace(_with_context(understood, context, text), catalogue=catalogue)


def _read(text: str, catalogue: Catalogue) -> Understanding:
    """The message on its own."""
    folded = fold(text)
    said = folded.split()
    plain = [re.sub(r"[^a-z0-9]", "", w) for w in said]
    mentions = tuple(catalogue.mentions(plain))
    rest = " ".join(w for i, w in enumerate(said) if not any(m.start <= i < m.end for m in mentions[:1]))
    language = detect(_without_names(text, mentions))
    request = LEAD_IN.sub("", folded).strip()
    if re.search(GREETING, request):
        return Understanding(language, "greeting", None)
    if re.search(THANKS, request):
        return Understanding(language, "thanks", None)
    if re.search(HELP, request):
        return Understanding(language, "help", None)
    scores = _scores(request, rest, mentions)
    if re.search(OPEN_QUESTION, request):
        return Understanding(language, "help", _topic(request, scores), slots={"open": True})
    # On a tie, what acts on a named row, then an action, wins.
    intent, score, entity = max(scores, key=lambda s: (s[1], s[2] is not None, s[0] in PHRASINGS))
    if entity is None and (named := _one_word_name(request, said, mentions, catalogue, (intent, score))):
        intent, score, entity = named
    if score < MIN_SCORE:
        intent, entity = "unknown", (mentions[0] if mentions else None)
    slots = _slots(text, folded, entity)
    ambiguous = _ambiguity(intent, entity, mentions)
    agent = ACTION_AGENT.get(intent) or (QUESTIONS[intent].agent if intent in QUESTIONS else None)
    return Understanding(language, intent, agent, entity, slots, ambiguous=ambiguous, mentions=mentions)


def _one_word_name(request, said, mentions, catalogue, best) -> tuple[str, int, Mention] | None:
    """The reading that takes one distinctive word for its name ("pull back spend on retargeting": Site
    Retargeting's budget), when the rest of the message asks at least ONE_WORD_ASKS points of something of that
    kind of row, and the best reading without it either wanted a row of that kind and found none ("post the
    lookbook"), understood nothing, or stood on that very word ("retargeting" as an audience to build)."""
    intent, score = best
    for candidate in catalogue.one_word([re.sub(r"[^a-z0-9]", "", w) for w in said], mentions):
        named = [candidate.start, *(i for m in mentions[:1] for i in range(m.start, m.end))]
        rest = " ".join(w for i, w in enumerate(said) if i not in named)
        without = {s[0]: s[1] for s in _scores(request, rest, mentions)}
        wanted = _kind_of(intent) == candidate.kind or score < MIN_SCORE or without[intent] < score
        readings = [
            s for s in _scores(request, rest, (candidate, *mentions)) if s[2] == candidate and s[0] not in IN_FULL
        ]
        if not wanted or not readings:
            continue
        reading = max(readings, key=lambda s: (s[1], s[0] in PHRASINGS))
        if reading[1] - ENTITY_BONUS[False] >= ONE_WORD_ASKS:
            return reading
    return None


def _topic(request: str, scores) -> str | None:
    """The agent an open question is for: people are the Audience agent's; else the agent of the action or
    question its words point to most, without the names in it; None when they point nowhere."""
    if re.search(ABOUT_PEOPLE, request):
        return AgentType.AUDIENCE
    intent, words, entity = max(scores, key=lambda s: s[1] - (ENTITY_BONUS[s[2].exact] if s[2] else 0))
    if words - (ENTITY_BONUS[entity.exact] if entity else 0) <= 0:
        return None
    return ACTION_AGENT.get(intent) or QUESTIONS[intent].agent


def _unknown_name(text: str) -> str | None:
    """A capitalised name said as a campaign's, an audience's or a post's ("the Moon Landing campaign", "la
    campaña Luna Nueva") when none of the tenant's names matched: an action on it must not fall back to the
    conversation's row."""
    for match in NAMED_ROW.finditer(text):
        name = " ".join((match.group(1) or match.group(2)).split())
        if fold(name) not in METRIC_NAMES:
            return name
    return None


def _without_names(text: str, mentions) -> str:
    lowered = fold(text)
    for mention in mentions:
        lowered = lowered.replace(fold(mention.name), " ")
    return lowered if mentions else text


def _matches(patterns, folded: str, request: str) -> int:
    score = 0
    for pattern, weight in patterns:
        if re.search(pattern, request if pattern.startswith("^") else folded):
            score += weight
    return score


def _scores(request: str, rest: str, mentions) -> list[tuple[str, int, Mention | None]]:
    """(intent, points, the entity it acts on) for every action type and question family. A language's words
    count once: the better of the English and the Spanish reading ("blog", "ROAS" are both)."""
    scored = []
    for intent, phrasing in PHRASINGS.items():
        words = max(_matches(phrasing.en, rest, request), _matches(phrasing.es, rest, request))
        entity = _entity_of(phrasing.target, mentions)
        scored.append((intent, words + (ENTITY_BONUS[entity.exact] if entity and words else 0), entity))
    for intent, question in QUESTIONS.items():
        words = max(_matches(question.en, rest, request), _matches(question.es, rest, request))
        if question.about:
            entity = _entity_of(question.about, mentions)
            if entity is None:
                continue  # a report is about one named row (or the conversation's, see _with_context)
            scored.append((intent, words + ENTITY_BONUS[entity.exact], entity))
        else:
            scored.append((intent, words, None))
    return scored


def _entity_of(kind: str, mentions) -> Mention | None:
    """The best mention of `kind`, unless a better name of another kind covers it ("Summer Sale Lookbook"
    read as the post, not as the campaign "Summer Sale" inside it)."""
    own = next((m for m in mentions if m.kind == kind), None)
    if own is None:
        return None
    for other in mentions:
        covers = other.kind != kind and other.start <= own.start and other.end >= own.end and other.size > own.size
        if covers and other.exact:  # also a part: "trail running" inside the keyword "trail running shoes"
            return None
    return own


def _ambiguity(intent: str, entity: Mention | None, mentions) -> tuple[Mention, ...]:
    """Two rows of different kinds named equally well, and a question that does not say which kind."""
    if entity is None or intent in PHRASINGS or len(mentions) < 2:
        return ()
    rivals = [m for m in mentions if m.kind != entity.kind and m.start == entity.start and m.exact == entity.exact]
    rivals = [m for m in rivals if m.size == entity.size or (not m.exact and abs(m.quality - entity.quality) < 0.05)]
    return (entity, rivals[0]) if rivals else ()


def _wants_context(understood: Understanding) -> bool:
    return understood.intent == "campaign_report" and understood.slots.get("superlative") is not None


def _slots(text: str, folded: str, entity: Mention | None) -> dict:
    slots = {}
    for word, pattern in SUPERLATIVE.items():
        if re.search(pattern, folded):
            slots["superlative"] = word
            break
    for metric, pattern in METRICS.items():
        if re.search(pattern, folded):
            slots["metric"] = metric
            break
    return slots


# --- the conversation -----------------------------------------------------------------------------------


@dataclass
class Context:
    """What the conversation was about: its last question, and its last row of each kind."""

    last: Understanding | None = None
    entities: dict = field(default_factory=dict)  # kind -> Mention
    subject: Mention | None = None  # the row a "which is the best/worst" answer named first


def _context(history, catalogue: Catalogue) -> Context:
    context = Context()
    turns = list(history)
    for position, item in enumerate(turns):
        if item.role != "user":
            continue
        understood = _read(item.text, catalogue)
        if understood.intent in SMALL_TALK and understood.entity is None:
            continue
        if understood.entity is None and context.last is not None and not understood.is_action:
            understood = replace(understood, entity=context.last.entity)
        context.last = understood
        if understood.entity is not None:
            context.entities[understood.entity.kind] = understood.entity
        answer = turns[position + 1].text if position + 1 < len(turns) and turns[position + 1].role != "user" else ""
        context.subject = _first_named(answer, catalogue) if understood.slots.get("superlative") else None
        if context.subject is not None:
            context.entities[context.subject.kind] = context.subject
    return context


def _first_named(answer: str, catalogue: Catalogue) -> Mention | None:
    said = [re.sub(r"[^a-z0-9]", "", w) for w in fold(answer).split()]
    found = [m for m in catalogue.mentions(said) if m.exact]
    return min(found, key=lambda m: m.start) if found else None


def _with_context(understood: Understanding, context: Context, text: str) -> Understanding:
    last = context.last
    folded = fold(text)
    if last is None:
        return understood
    asks_again = FOLLOW_UP.search(LEAD_IN.sub("", folded)) or understood.intent == "unknown"
    if understood.intent == "unknown" or (understood.entity is not None and asks_again and not understood.is_action):
        # "and Brand Search?", "and last month?": the previous question again, about what this one names
        entity = understood.entity or last.entity
        if entity is None and not asks_again:
            return understood
        if understood.entity is None and not (asks_again or PRONOUN.search(folded) or _period(folded)):
            return understood
        intent = last.intent if last.intent in QUESTIONS or understood.entity is None else understood.intent
        if understood.entity is not None:
            intent = _report_of(understood.entity.kind)
        if intent in PHRASINGS:
            return understood
        return replace(
            understood,
            intent=intent,
            agent=QUESTIONS[intent].agent if intent in QUESTIONS else understood.agent,
            entity=entity,
            from_context=True,
            slots={**last.slots, **understood.slots} if understood.entity is None else understood.slots,
            language=understood.language,
        )
    if understood.entity is not None:
        return understood
    kind = _kind_of(understood.intent)
    if understood.slots.get("superlative") and "metric" not in understood.slots and last.slots.get("metric"):
        understood = replace(understood, slots={**understood.slots, "metric": last.slots["metric"]})
    if kind is None:
        return understood
    entity = None
    if understood.slots.get("superlative") and understood.intent != "campaign_ranking":
        entity = None  # "pause the worst one": the agent ranks again, by the metric asked before
        slots = {**understood.slots}
        slots.setdefault("metric", last.slots.get("metric"))
        return replace(understood, slots=slots, from_context=True)
    entity = context.subject if context.subject and context.subject.kind == kind else context.entities.get(kind)
    if entity is None:
        return understood
    return replace(understood, entity=entity, from_context=True)


def _period(folded: str) -> bool:
    return bool(re.search(r"\b(last|past|this|previous|yesterday|pasad[oa]|ultim[oa]s?|ayer|esta|este)\b", folded))


def _report_of(kind: str) -> str:
    return {"campaign": "campaign_report", "content": "content_report", "keyword": "keyword_report"}.get(
        kind, "segment_report"
    )


def _kind_of(intent: str) -> str | None:
    if intent in PHRASINGS:
        target = PHRASINGS[intent].target
        return None if target == "none" or intent == "add_target_keyword" else target
    return QUESTIONS[intent].about or None if intent in QUESTIONS else None
