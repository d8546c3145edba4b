"""The words that ask for each action type, in English and Spanish: data the built-in agents read
(agents.understanding), kept beside the specs so that a new phrasing is a line here plus a test.

Patterns are regular expressions over folded text (lower case, accents removed, "summer sale's" read as
"summer sale"; agents.understanding.text.fold). Each has a weight: a phrase that can only mean the action
weighs more than a verb that other actions share ("stop" pauses a campaign; "stop tracking" drops a keyword,
and outweighs it). `^` anchors a pattern at the start of the request, after polite lead-ins ("please", "can
you", "por favor", "quiero"), for imperatives that double as nouns or questions ("schedule", "programa").
"""

from dataclasses import dataclass, field

# Spanish verb endings: the imperative with its clitics ("sube", "súbele", "súbelo"), the infinitive, the
# voseo ("aumentá" folds to "aumenta") and the plural.
ES_VERB = r"(?:a|e|ar|er|ir|ale|alo|ala|ele|elo|ela|an|en|amos|emos|a?los|a?las)"
# Following a keyword's rankings, as Spanish-speaking marketers say it (English loans included).
ES_TRACK = r"(?:seguir\w*|posicionar\w*|rastrear\w*|monitorizar\w*|monitorear\w*|trackear\w*|trabajar)"


@dataclass(frozen=True)
class Phrasing:
    """How people ask for one action: the kind of row it acts on, and the words, weighted."""

    target: str  # campaign | content | keyword | segment | none: what the action's entity is
    en: tuple[tuple[str, int], ...]
    es: tuple[tuple[str, int], ...]
    # For budgets: the words that say which way the amount goes (read by agents.understanding.amounts).
    up: tuple[str, ...] = field(default=())
    down: tuple[str, ...] = field(default=())


BUDGET_UP = (
    r"\b(raise|increase|bump|boost|(?<!set )(?<!spin )(?<!line )(?<!sign )up|grow|lift|scale up|more|extra"
    r"|additional|another|add|double|triple|higher)\b",
    rf"\b(sub{ES_VERB}|aument\w*|increment\w*|duplic\w*|tripl\w*|mas|extra|adicional)\b",
)
BUDGET_DOWN = (
    r"\b(lower|cut|reduce|decrease|drop|trim|slash|halve|less|take .* down|down|scale down|off|fewer"
    r"|(pull|cut|scale|dial|ease) back|rein in)\b",
    rf"\b(baj{ES_VERB}|reduc\w*|reduzc\w*|recort\w*|disminu\w*|rebaj\w*|quit{ES_VERB}|menos)\b",
)

# Shares and multiples of today's budget in words ("by a quarter", "2x", "un tercio", "al cuádruple").
FRACTION_EN = (
    r"\bby (a |an |one |two |three )?(half|thirds?|quarters?|fifths?|tenths?)\b|\b(two|three) (thirds|quarters)\b"
    r"|\b\d{1,2} ?/ ?\d{1,2}\b|\b\d+(\.\d+)? ?x\b|\bquadruple\b"
)
FRACTION_ES = (
    r"\b(un|una|dos|tres) (medio|tercios?|cuartos?|quintas? partes?|decimas? partes?)\b|\ben la mitad\b"
    r"|\b(el|al) (doble|triple|cuadruple)\b|\bdobl[ae]\w*|\bcuadrupl\w*|\b\d+(,\d+)? ?x\b"
)

PHRASINGS: dict[str, Phrasing] = {
    "set_budget": Phrasing(
        target="campaign",
        en=(
            (r"\bbudgets?\b", 3),
            (r"\b(daily )?spend\b.*\b(to|by)\b", 2),
            (r"\b(a|per|each) day\b|/ ?day\b|\bdaily\b", 2),
            (BUDGET_UP[0], 1),
            (BUDGET_DOWN[0], 1),
            (r"\b(set|make|change|adjust|move|put|update|give)\b", 1),
            (r"\b(set|make|put) (it|that|them)( to| at)? [$€]?\d", 3),  # "no, make it 900"
            (r"\bin half\b|\bby half\b|\bdouble\b|\bhalve\b", 3),
            (r"\b(to|by)\s*[$€]?\s*\d", 2),
            (r"[$€]\s*\d|\d\s*(dollars?|bucks|euros?|usd|eur)\b|\d\s*k\b", 2),
            (r"\d\s*(%|percent)", 2),
            (r"\bspend(ing)?\b", 1),
            (FRACTION_EN, 3),
        ),
        es=(
            (r"\bpresupuesto", 3),
            (r"\bgasto\b", 1),
            (r"\b(al|por|cada) dia\b|/ ?dia\b|\bdiari[oa]s?\b", 2),
            (BUDGET_UP[1], 1),
            (BUDGET_DOWN[1], 1),
            (rf"\b(pon|ponle|ponlo|poner|cambi{ES_VERB}|ajust{ES_VERB}|fij{ES_VERB}|dej{ES_VERB})\b", 1),
            (r"\b(ponlo|ponla|dejalo|dejala)( en| a)? [$€]?\d", 3),
            (r"\b(a|hasta|en)\s*[$€]?\s*\d", 2),
            (r"[$€]\s*\d|\d\s*(dolares?|euros?|usd|eur|pesos)\b|\d\s*k\b|\d\s*mil\b", 2),
            (r"\d\s*(%|por ?ciento)", 2),
            (r"\ba la mitad\b|\bpor la mitad\b|\bduplic\w*|\btriplic\w*", 3),
            (FRACTION_ES, 3),
        ),
        up=BUDGET_UP,
        down=BUDGET_DOWN,
    ),
    "pause_campaign": Phrasing(
        target="campaign",
        en=(
            (r"^(pause|stop|halt|kill|suspend)\b", 5),
            (r"(?<!un )\b(pause|halt|suspend)\b", 4),
            (r"\b(switch|turn|shut) (it |them )?off\b|\b(switch|turn|shut)\b.*\boff\b", 4),
            (r"\bshut (it |them )?down\b|\bshut\b.*\bdown\b", 5),
            (r"\bon hold\b", 4),
            (r"\bstop\b(?! (tracking|targeting|monitoring|following))", 3),
            (r"\bkill\b", 3),
        ),
        es=(
            (rf"(?<!un )\bpaus{ES_VERB}\b|\bpon\w* en pausa\b", 5),
            (rf"\b(deten{ES_VERB}?|detenga\w*|detener\w*)\b", 5),
            (rf"\b(desactiv{ES_VERB}|apag{ES_VERB}|suspend{ES_VERB})\b", 5),
            (r"^(para|paren|parar|paralo|parala)\b", 5),
        ),
    ),
    "resume_campaign": Phrasing(
        target="campaign",
        en=(
            (r"\b(resume|restart|unpause|un pause|reactivate|re ?enable|relaunch|reopen)\b", 6),
            (r"\b(turn|switch|put|bring)\b.*\bback( on)?\b", 6),
            (r"\b(turn|switch) (it |them )?on\b", 5),
            (r"\b(running|live|going|active) again\b", 6),
        ),
        es=(
            (rf"\b(reactiv{ES_VERB}|reanud{ES_VERB}|reinici{ES_VERB}|relanz{ES_VERB})\b", 6),
            (r"\b(vuelv\w*|volver) a (activar|encender|lanzar|poner)\b", 7),
            (rf"\b(enciend{ES_VERB}|encender)\b", 5),
            (rf"\b(activ{ES_VERB})\b", 4),
            (r"\bquit\w* (la )?pausa\b", 7),
            (r"\bdes ?paus\w*", 7),
        ),
    ),
    "publish_content": Phrasing(
        target="content",
        en=(
            (r"\b(publish|post|release)\b", 4),
            (r"\bgo live\b|\blive\b|\b(put|get)\b.*\bout\b|\bsend\b.*\bout\b|\bship\b", 4),
        ),
        es=(
            (rf"(?<!sin )\b(public{ES_VERB}|publicar\w*)\b", 5),
            (rf"\b(sac{ES_VERB}|lanz{ES_VERB})\b", 3),
            (rf"^(sub{ES_VERB})\b", 2),  # "sube el lookbook a Instagram": an upload when its object is a piece
        ),
    ),
    "schedule_content": Phrasing(
        target="content",
        en=(
            (r"\b(re)?schedule\b(?! (of|for (this|next|the) (week|month)))", 5),
            (r"\b(queue|line up|plan)\b", 5),
            (r"\bto go out\b", 4),
        ),
        es=(
            (rf"\b(program{ES_VERB}|reprogram{ES_VERB}|agend{ES_VERB})\b", 5),
            (r"\bdej\w* (\w+ )*programad[oa]\b", 6),
        ),
    ),
    "add_target_keyword": Phrasing(
        target="keyword",
        en=(
            (r"^(add|track|monitor|target)\b", 5),
            (r"\b(start|begin) (tracking|targeting|monitoring|ranking for)\b", 7),
            (r"\b(should|want to|need to|let's|lets) (target|track|rank for)\b", 6),
            (r"\b(as|to)( a| an| our| the| my)?( new)? (target |tracked )?keywords?\b|\btarget keywords?\b", 3),
            (r"\badd\b", 2),
        ),
        es=(
            (rf"\b(anad{ES_VERB}|agreg{ES_VERB}|incorpor{ES_VERB}|incluy{ES_VERB}|met{ES_VERB})\b", 5),
            (rf"\b(empez\w*|empiez\w*|comienz\w*) a {ES_TRACK}\b", 7),
            (rf"^(sigue|seguir|siga|{ES_TRACK}|monitoriza|monitorea|rastrea|posiciona|trackea)\b", 5),
            (r"\bpalabras? clave\b", 2),
            (r"\b(a|en|entre) (las|nuestras|mis) (palabras? clave|keywords?)\b", 3),
        ),
    ),
    "remove_target_keyword": Phrasing(
        target="keyword",
        en=(
            (r"\b(stop|quit) (tracking|targeting|monitoring|following)\b", 9),
            (r"\b(drop|remove|delete|untrack)\b", 6),
            (r"\bno longer (need to )?(track|target|monitor)\b", 9),
            (r"\b(don ?t|do not|no longer) (really )?need\b|\banymore\b", 6),
            (r"\btake\b.*\boff\b.*\b(keywords?|list|targets?|tracking)\b", 6),
        ),
        es=(
            (rf"\bdej\w* de {ES_TRACK}\w*\b", 9),
            (rf"\bya no (\w+ )?{ES_TRACK}\b|\bno (sigas|sigamos|sigan|sigais)\b|\bya no (sigas|sigamos|sigan)\b", 9),
            (rf"\b(quit{ES_VERB}|elimin{ES_VERB}|borr{ES_VERB}|sac{ES_VERB})\b", 5),
        ),
    ),
    "create_audience": Phrasing(
        target="segment",
        en=(
            (r"\blook ?alikes?\b", 6),
            (r"\b(create|build|make|set up|spin up|put together|generate|start|launch|add|new)\b", 2),
            (r"\b(create|build|make|set up|spin up|put together|generate|new)\b.*\b(audience|segment)s?\b", 2),
            (r"\b(similar to|like|based on|modell?ed on|resembling)\b", 2),
            (r"\b(audience|segment)s?\b", 1),
        ),
        es=(
            (r"\blook ?alikes?\b|\b(audiencia|segmento)s? (similar|parecid)\w*", 6),
            (rf"\b(cre{ES_VERB}|arm{ES_VERB}|haz|hacer|gener{ES_VERB}|mont{ES_VERB}|nuev[oa])\b", 2),
            (rf"\b(cre{ES_VERB}|arm{ES_VERB}|haz|gener{ES_VERB}|nuev[oa])\b.*\b(audiencia|segmento)s?\b", 2),
            (r"\b(similar|parecid\w*|basad\w* en|como)\b", 2),
            (r"\b(audiencia|segmento)s?\b", 1),
        ),
    ),
    "create_retargeting": Phrasing(
        target="none",
        en=((r"\b(re ?target\w*|re ?market\w*)\b", 14),),
        es=((r"\b(re ?target\w*|re ?market\w*|redireccion\w*)\b", 14),),
    ),
}
