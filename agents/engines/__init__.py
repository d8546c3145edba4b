"""Engine back-ends. `get_engine(tenant, agent)` returns the one that answers for them; `run_engine` runs it.

An engine whose class says `external = True` sends the conversation out of Walker (an LLM provider):
it receives personal data as placeholders unless the tenant chose to share it.

Whatever an engine writes, `run_engine` bounds what comes out of it, for every engine and every caller (the
answer that is stored and delivered, a suggestion): at most AGENT_REPLY_MAX_CHARS of text (cut at a word, with
a note saying so, and logged), the same for what is streamed live, at most MAX_ACTIONS_PER_REPLY proposals
(the rest left out, with a note), and no character PostgreSQL cannot store.
"""

import logging
import re
from dataclasses import replace

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy, ngettext

from agents.engines.base import EngineReply, EngineRequest
from agents.engines.config import config_for
from core.metrics import ENGINE_ERRORS, ENGINE_SECONDS, timed

log = logging.getLogger(__name__)

ENGINES = {
    "builtin": "agents.engines.builtin.BuiltinEngine",
    "langflow": "agents.engines.langflow.LangflowEngine",
    "openai": "agents.engines.openai_engine.OpenAIEngine",
}
# Proposals one answer may carry: beyond the hourly limit the gateway refuses each with its reason, but every
# one is still audited and listed, so a runaway reply is cut here first.
MAX_ACTIONS_PER_REPLY = 20
SHORTENED_NOTE = gettext_lazy("(This answer was too long to send whole, so it was shortened.)")
SURROGATE = re.compile("[\ud800-\udfff]")  # in a str, always unpaired: UTF-8 cannot encode it
WHOLE_WORDS = re.compile(r".*\S(?=\s)", re.DOTALL)  # the longest prefix that ends where a word does


def get_engine(tenant=None, agent=None):
    config = config_for(tenant, agent)
    return import_string(ENGINES[config.engine])(config)


def run_engine(engine, request: EngineRequest) -> EngineReply:
    if getattr(engine, "external", True) and not request.tenant.share_personal_data_with_llm:
        request = request.without_personal_data()
    if request.on_delta is not None:
        request = replace(request, on_delta=_shown_up_to(request.on_delta, settings.AGENT_REPLY_MAX_CHARS))
    with timed(ENGINE_SECONDS, ENGINE_ERRORS, engine=engine_name(engine)):
        reply = engine.run(request)
    return _bounded(reply, request, engine)


def engine_name(engine) -> str:
    """The engine's name in ENGINES (a metric's label), else "other" (a stand-in, a test's scripted engine)."""
    path = f"{type(engine).__module__}.{type(engine).__qualname__}"
    return next((name for name, engine_path in ENGINES.items() if engine_path == path), "other")


def _shown_up_to(on_delta, limit: int):
    """`on_delta` until `limit` characters have been passed on: what is shown live never outgrows the answer."""
    left = limit

    def show(piece: str) -> None:
        nonlocal left
        if left > 0 and piece:
            on_delta(piece[:left])
            left -= len(piece)

    return show


def _bounded(reply: EngineReply, request: EngineRequest, engine) -> EngineReply:
    """The reply as Walker may store and send it (a new one; the engine's is left as it was)."""
    text = SURROGATE.sub("\ufffd", reply.text.replace("\x00", ""))
    actions, limit = reply.actions, MAX_ACTIONS_PER_REPLY
    notes = []
    if len(actions) > limit:
        notes.append(
            ngettext(
                "(%(count)s more proposal was left out: one answer may propose at most %(limit)s.)",
                "(%(count)s more proposals were left out: one answer may propose at most %(limit)s.)",
                len(actions) - limit,
            )
            % {"count": len(actions) - limit, "limit": limit}
        )
        actions = actions[:limit]
    cap = settings.AGENT_REPLY_MAX_CHARS
    if len(text) + sum(len(note) + 2 for note in notes) > cap:
        notes.insert(0, str(SHORTENED_NOTE))
        text = _cut(text, cap - sum(len(note) + 2 for note in notes) - 1) + "…"
    if notes:
        log.warning(
            "%s answered %s characters and %s proposals in conversation %s of tenant %s; kept %s and %s",
            type(engine).__name__,
            f"{len(reply.text):,}",
            len(reply.actions),
            request.conversation_id,
            request.tenant.pk,
            f"{len(text):,}",
            len(actions),
        )
    return EngineReply(text="\n\n".join([text, *notes]), actions=list(actions), understood=reply.understood)


def _cut(text: str, room: int) -> str:
    """At most `room` characters of `text`, ending with a whole word unless a single word fills half the room."""
    head = text[: room + 1]  # one more: a cut just before a space still ends a word
    words = WHOLE_WORDS.match(head)
    if words and len(words.group()) >= room // 2:
        return words.group()
    return head[:room].rstrip()
