"""The brief's summary and recommendations, written by the tenant's LLM engine from the figures the brief shows.

With an external engine (the tenant's own choice for all its agents, else the environment's: agents.engines.config),
the engine is given the brief's sections exactly as the reader will see them (each one's title, figure lines and
built-in recommendation), the business's name and the reader's language, and asked for one JSON object:
{"summary": "...", "recommendations": {"<section key>": "...", ...}}. The OpenAI-compatible engine answers with one
chat completion without tools; a Langflow server runs its flow whose endpoint name is `daily_brief`.

The built-in text stands, and the brief goes out as it always did, whenever the engine's is not usable: the engine
failed or could not be reached, took longer than WRITE_TIMEOUT, or answered something that is not such an object,
with an empty or too long summary (SUMMARY_MAX_CHARS) or recommendation (RECOMMENDATION_MAX_CHARS), a value that is
not text, or text that cannot be stored. A section the engine leaves out keeps its built-in recommendation.

WRITE_TIMEOUT is 20 seconds: a model writes these few sentences in well under ten, and one slow engine must not hold
up a whole run of briefs for long. The engine is asked once per tenant, language and choice of sections in a run
(briefs.content keeps the answer, a failure included, for the run's other readers), so a tenant whose engine hangs
costs its run at most 20 seconds per language, and other tenants' briefs nothing more.
"""

import json
import logging
import re
from dataclasses import dataclass

from django.utils.translation import get_language, get_language_info

from agents.engines import get_engine
from agents.engines.base import EngineError
from tenants.input_text import UnreadableInput, load_json, text_problem
from tenants.pii import redact

log = logging.getLogger(__name__)

TASK = "daily_brief"  # the Langflow flow's endpoint name
WRITE_TIMEOUT = 20  # seconds
SUMMARY_MAX_CHARS = 600
RECOMMENDATION_MAX_CHARS = 300
FENCED_JSON = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL | re.IGNORECASE)
INSTRUCTIONS = (
    "You write the summary and the recommendations of {business}'s daily marketing brief, an email read on a "
    "phone. Use only the figures given; never invent, round differently or change a number or a name. Write in "
    "{language}. Answer with one JSON object and nothing else: "
    '{{"summary": "<two or three sentences, at most {summary_max} characters: what matters most today>", '
    '"recommendations": {{"<section key>": "<one concrete next step for that section, at most '
    '{recommendation_max} characters>"}}}}. Give a recommendation for each section key you are given, or leave '
    "a key out when nothing is worth doing there."
)


class Unusable(Exception):
    """What the engine wrote cannot stand in the brief; the message says why (for the log)."""


@dataclass(frozen=True)
class Written:
    summary: str
    recommendations: dict[str, str]  # by section key; a key left out keeps the built-in recommendation


def write(tenant, sections: dict) -> Written | None:
    """The engine's text for `sections` (section key -> briefs.content.Section) in the active language, or None when
    the tenant has no LLM engine or the engine's text is not usable (the built-in text stands)."""
    engine = get_engine(tenant, None)
    if not getattr(engine, "external", False) or not hasattr(engine, "write"):
        return None  # the built-in engine: its text is the brief's own
    language = get_language() or "en"
    instructions = INSTRUCTIONS.format(
        business=tenant.name,
        language=get_language_info(language)["name"],
        summary_max=SUMMARY_MAX_CHARS,
        recommendation_max=RECOMMENDATION_MAX_CHARS,
    )
    material = json.dumps(
        {"language": language, "sections": [_section(key, s, tenant) for key, s in sections.items()]},
        ensure_ascii=False,
    )
    try:
        return _usable(engine.write(instructions, material, task=TASK, timeout=WRITE_TIMEOUT), set(sections))
    except (EngineError, Unusable) as exc:
        log.warning("The brief's own text stands for tenant %s: its engine's was not usable (%s)", tenant.pk, exc)
    except Exception:  # the brief goes out whatever an engine does
        log.exception("The brief's own text stands for tenant %s: its engine failed", tenant.pk)
    return None


def _section(key: str, section, tenant) -> dict:
    """A section as the engine reads it; personal data as placeholders unless the tenant shares it."""
    shown = (lambda text: text) if tenant.share_personal_data_with_llm else redact
    return {
        "key": key,
        "title": shown(section.title),
        "figures": [shown(line) for line in section.lines],
        "built_in_recommendation": shown(section.recommendation),
    }


def _usable(text: str, keys: set[str]) -> Written:
    fenced = FENCED_JSON.fullmatch(text.strip())
    try:
        data = load_json(fenced.group(1) if fenced else text, check_text=False)
    except UnreadableInput as exc:
        raise Unusable(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Unusable(f"a JSON {type(data).__name__}, not an object")
    summary = _text(data.get("summary"), "summary", SUMMARY_MAX_CHARS)
    recommendations = data.get("recommendations", {})
    if not isinstance(recommendations, dict):
        raise Unusable("recommendations is not an object")
    written = {}
    for key, value in recommendations.items():
        if key in keys and value not in (None, ""):
            written[key] = _text(value, f"recommendations.{key}", RECOMMENDATION_MAX_CHARS)
    return Written(summary, written)


def _text(value, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Unusable(f"{where} is not text")
    value = value.strip()
    if not value:
        raise Unusable(f"{where} is empty")
    if len(value) > limit:
        raise Unusable(f"{where} has {len(value)} characters, more than {limit}")
    if problem := text_problem(value):
        raise Unusable(f"{where}: {problem}")
    return value
