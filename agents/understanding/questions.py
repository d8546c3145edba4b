"""The questions the built-in agents answer, and the words that ask them, in English and Spanish: data.

Each family names its agent and its weighted patterns over folded text (agents.understanding.text.fold).
A "report" family is about one named row; it is asked by naming the row with a question word or none
("how is Summer Sale doing?", "¿y Brand Search?"), so its words only add weight.
"""

from dataclasses import dataclass

from agents.models import AgentType


@dataclass(frozen=True)
class Question:
    agent: str
    en: tuple[tuple[str, int], ...]
    es: tuple[tuple[str, int], ...]
    about: str = ""  # the kind of row a report is about: campaign | content | keyword | segment


BEST = (
    r"\b(best|worst|top|bottom|highest|lowest|most|least|fewest|biggest|cheapest|priciest|compare"
    r"|rank(?!ings?\b)\w*)\b"  # "rank my campaigns", not "our rankings" (SEO)
)
KEYWORDS_ES = r"(?:palabras clave|keywords)"  # Spanish-speaking marketers say both
MEJOR = r"\b(mejor(es)?|peor(es)?|mas alt[oa]|mas baj[oa]|mayor|menor|mas|menos|orden\w*|compar\w*)\b"
REPORT_EN = (
    (r"\b(how|what)\b.*\b(doing|going|performing|perform|do|did|look\w*|trend\w*)\b", 2),
    (r"\b(stats|numbers|figures|results|report|performance|roas|ctr|cpa|tell me about|update on)\b", 2),
)
REPORT_ES = (
    (r"\b(como|que tal)\b.*\b(va|van|fue|esta|estan|funciona\w*|anda)\b|\bque tal\b", 2),
    (r"\b(estadisticas|numeros|cifras|resultados|informe|rendimiento|roas|ctr|cpa|hablame|cuentame)\b", 2),
)

QUESTIONS: dict[str, Question] = {
    "campaign_report": Question(AgentType.PAID_ADS, REPORT_EN, REPORT_ES, about="campaign"),
    "campaign_overview": Question(
        AgentType.PAID_ADS,
        en=(
            (r"\b(campaigns|ads|advertising)\b.*\b(doing|going|performing|overall|do|did)\b", 4),
            (r"\b(overall|overview|summary)\b", 3),
            (r"\b(ad spend|spend on ads|spent on ads|spend\w* in total)\b", 4),
            (r"\bhow much did we spend\b", 4),
            (r"\b(how|what)\b.*\b(did|do|are|is)\b.*\b(we|our)\b.*\b(ads|campaigns|advertising)\b", 4),
            (r"\btotal (ad )?spend\b", 4),
        ),
        es=(
            (r"\b(campanas|anuncios|publicidad)\b.*\b(van|general|funcionan)\b", 4),
            (r"\b(van|funcionan|estan|andan)\b.*\b(las campanas|los anuncios|mis campanas|mis anuncios)\b", 4),
            (r"\b(en general|resumen|panorama)\b", 3),
            (r"\bcuanto (gastamos|hemos gastado|gastado)\b", 4),
            (r"\b(como|que tal)\b.*\b(fue|va|van|ha ido|han ido)\b.*\b(anuncios|campanas|publicidad)\b", 4),
            (r"\bcuanto\b.*\b(gast\w*|invert\w*|invertido)\b", 4),
        ),
    ),
    "campaign_ranking": Question(
        AgentType.PAID_ADS,
        en=((BEST, 3), (r"\bcampaigns?\b", 1), (r"\b(performing|spent|spend|roas|cpa|ctr|conversion\w*)\b", 1)),
        es=((MEJOR, 3), (r"\bcampanas?\b", 1), (r"\b(funciona|gasto|rendimiento|roas|cpa|ctr)\b", 1)),
    ),
    "content_report": Question(AgentType.CONTENT, REPORT_EN, REPORT_ES, about="content"),
    "content_upcoming": Question(
        AgentType.CONTENT,
        en=((r"\b(scheduled|upcoming|coming up|calendar|planned|queued|going out)\b", 5),),
        es=(
            (r"\b(programad[oa]s?|calendario|proxim[oa]s?|vienen|planificad[oa]s?|agendad[oa]s?)\b", 5),
            (r"\b(que|cuando) sale(n)?\b", 5),
        ),
    ),
    "content_drafts": Question(
        AgentType.CONTENT,
        en=((r"\b(drafts?|unpublished|not (yet )?published|in progress|waiting to be published)\b", 5),),
        es=((r"\b(borrador(es)?|sin publicar|no publicad[oa]s?|pendientes)\b", 5),),
    ),
    "content_best": Question(
        AgentType.CONTENT,
        en=(
            (BEST, 2),
            (r"\b(content|posts?|pieces?|articles?|blog|videos?|newsletters?)\b", 3),
            (r"\b(engag\w*|views?|popular)\b", 2),
        ),
        es=(
            (MEJOR, 2),
            (r"\b(contenido|publicacion(es)?|posts?|articulos?|blog|videos?|newsletters?)\b", 3),
            (r"\b(interaccion\w*|vistas|visitas|popular\w*)\b", 2),
        ),
    ),
    "keyword_report": Question(
        AgentType.SEO,
        en=(*REPORT_EN, (r"\b(rank|position|where)\b", 3)),
        es=(*REPORT_ES, (r"\b(posicion\w*|posicionamos|donde)\b", 3)),
        about="keyword",
    ),
    "keyword_movers": Question(
        AgentType.SEO,
        en=(
            (r"\b(gain\w*|lost|los[et]\w*|dropped|climb\w*|fell|mov\w*|chang\w*|improv\w*|declin\w*|went)\b", 3),
            (r"\bup or down\b|\bwinners\b|\blosers\b", 2),
            (r"^(any|did any|have any|were there any)\b.*\b(drop|fall|fell|move|climb|rise|change)\w*", 6),
            (r"\b(seo|rankings?|positions|serps?|organic|visibility)\b", 3),
            (r"\bkeywords?\b", 1),
        ),
        es=(
            (r"\b(ganaron|perdieron|subieron|bajaron|cambi\w*|mejorar\w*|empeor\w*|movi\w*)\b", 3),
            (r"\b(seo|rankings?|posiciones|organico|visibilidad)\b", 3),
            (r"\bpalabras? clave\b|\bkeywords?\b", 1),
        ),
    ),
    "target_list": Question(
        AgentType.SEO,
        en=(
            (r"\b(target(ed)?|tracked|monitored) keywords\b|\bkeywords (are we|we) (track\w*|target\w*)\b", 4),
            (r"\b(track\w*|target\w*|monitor\w*)\b", 1),
            (r"\bkeywords\b", 1),
        ),
        es=(
            (
                rf"\b{KEYWORDS_ES} (objetivo|que seguimos)\b"
                rf"|\b{KEYWORDS_ES}\b.*\b(seguimos|objetivo|siguiendo|trackeando)\b",
                6,
            ),
            (rf"\bcuales son\b.*\b{KEYWORDS_ES}\b", 4),
            (rf"\b{KEYWORDS_ES}\b", 2),
        ),
    ),
    "segment_report": Question(
        AgentType.AUDIENCE,
        en=(*REPORT_EN, (r"\bhow (big|large|many)\b|\bsize\b", 3)),
        es=(*REPORT_ES, (r"\b(tamano|cuantas personas|cuanta gente|grande)\b", 3)),
        about="segment",
    ),
    "segment_growth": Question(
        AgentType.AUDIENCE,
        en=((r"\b(grow\w*|grew|growth|fastest|shrink\w*|shrank|shrunk|declin\w*|trend\w*|momentum)\b", 5),),
        es=((r"\b(crec\w*|reduciendo|encog\w*|tendencia\w*|disminuy\w*)\b", 5),),
    ),
    "segment_list": Question(
        AgentType.AUDIENCE,
        en=(
            (r"\b(audiences|segments)\b", 4),
            (r"\b(list|all|biggest|largest|sizes?|show)\b", 1),
            (r"\b(audience|segment)\b.*\b(biggest|largest|smallest)\b|\b(biggest|largest) (audience|segment)\b", 4),
        ),
        es=((r"\b(audiencias|segmentos)\b", 4), (r"\b(lista\w*|tod[oa]s|grandes|tamanos?|muestra\w*)\b", 1)),
    ),
    "write_content": Question(
        AgentType.CONTENT,
        en=(
            (r"\b(write|draft|compose|come up with|brainstorm)\b", 4),
            (
                r"\b(write|draft|compose|come up with|brainstorm|create|make|prepare)\b.*"
                r"\b(blog|post|article|caption|newsletter|tweet|copy|email|reel|script|ideas?|headline)s?\b",
                4,
            ),
        ),
        es=(
            (r"\b(escrib\w*|redact\w*)\b", 4),
            (
                r"\b(escrib\w*|redact\w*|cre[ae]|crear|prepar\w*|hazme|inventa\w*|propon\w*)\b.*"
                r"\b(articulo|post|publicacion|newsletter|texto|copy|caption|correo|entrada|ideas?|titular)\w*\b",
                4,
            ),
        ),
    ),
}

# Asked of every agent, answered by the one the conversation is with.
HELP = (
    r"\b(what (can|do|could) you do|what are you for|how can you help|help me|what (can|should) i ask( you)?"
    r"|what can (this|it|walker)( thing| bot)? do|capabilit\w*)\b"
    r"|^help$|^ayuda$|\b(que (puedes|sabes) hacer|en que (me )?(puedes|podes) ayudar|ayudame"
    r"|que (te|le) (puedo|podemos) (preguntar|pedir))\b"
)
GREETING = (
    r"^(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|hola|buenas|buenos dias|buenas (tardes|noches))"
    r"( (there|team|walker|all|everyone|equipo|a todos))?$"
)
THANKS = r"^(thanks|thank you|thx|cheers|gracias|muchas gracias|mil gracias)( \w+){0,2}$"

# An open question ("what should we post this week?", "¿sobre qué deberíamos escribir?"): no data answers it, so
# the agent whose topic it is says what it can do (agents.engines.builtin.common.capabilities).
PLAN_VERBS = r"(post|publish|write|do|target|focus|try|run|spend|track|publicar|escribir|hacer|probar|subir)"
OPEN_QUESTION = (
    r"^(what|which|who|where|how)\b( \w+){0,4}? (should|shall|would you (suggest|recommend)) (we|i)\b"
    rf"|^(what|which|who|where)\b( \w+){{0,3}}? (do|can|could) (we|i) {PLAN_VERBS}\b"
    r"|^(any|got any) (ideas|suggestions|recommendations)\b"
    r"|^(que|sobre que|a que|a quien|en que|cual(es)?|como|donde)\b( \w+){0,4}? "
    r"(deberia\w*|podemos|podriamos|conviene|(me|nos)? ?recomienda\w*|sugier\w*)\b"
    r"|^(que|sobre que)\b( \w+){0,3}? (publicamos|escribimos|posteamos|hacemos|subimos)\b"
    r"|^(alguna|tienes alguna) (idea|sugerencia|recomendacion)\w*"
)
# The topic of an open question about people, which a word such as "target" alone would send to SEO.
ABOUT_PEOPLE = r"^who\b|\b(a quien|publico|audienc\w*|segment\w*|personas?)\b"
