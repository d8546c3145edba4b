"""Answer through a Langflow flow, called with its /api/v1/run endpoint.

The flow replies with plain text, or with a JSON object {"reply": "...", "actions": [...], "drafts": [...]}
(optionally in a ```json fenced block) when it wants to propose actions or, for the Content agent, save what it
wrote as drafts: each {"title": "...", "channel": "blog", "body": "..."}, stored by agents.drafts at once (a
draft is not public), Walker's own line on each (saved, or why not) put before the reply.
"""

import json
import re
import uuid
from contextlib import nullcontext

import httpx
from django.conf import settings

from agents import drafts, read_tools, tool_callback
from agents.engines.base import EngineError, EngineReply, EngineRequest, timed_out, unreachable
from agents.engines.config import EngineConfig, environment
from agents.engines.proposals import parse_actions
from tenants.input_text import UnreadableInput, check_value, load_json
from tenants.outbound import OutboundURLRefused, public_client

FENCED_JSON = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL | re.IGNORECASE)


def _tweaks(request: EngineRequest, component: str, tools_url: str | None) -> dict:
    """With a tools component (LANGFLOW_TOOLS_COMPONENT), that component of the flow receives who is asking and a
    signed URL to call Walker's read tools with during this run (agents.tool_callback); Langflow's run API takes
    data only by tweaks."""
    if not component:
        return {}
    tools = [tool.schema()["function"] for tool in read_tools.tools_for(request.agent)]
    return {
        component: {
            "tenant": request.tenant.name,
            "agent": request.agent.agent_type,
            "conversation_id": request.conversation_id,
            "tools_url": tools_url,
            "tools": json.dumps(tools),
            "decisions": json.dumps([note.as_dict() for note in request.decisions], default=str),
        }
    }


class LangflowEngine:
    external = True  # the conversation leaves Walker

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or environment("langflow")

    def run(self, request: EngineRequest) -> EngineReply:
        component = self.config.tools_component
        # The flow may call the read tools back only while Walker waits for its answer.
        with tool_callback.callback_run(request) if component else nullcontext() as tools_url:
            payload = {
                "input_value": request.text,
                "input_type": "chat",
                "output_type": "chat",
                "session_id": request.conversation_id,
                "tweaks": _tweaks(request, component, tools_url),
            }
            body = self._post(self.config.model, payload, settings.AGENT_ENGINE_TIMEOUT)
        return _reply_from_text(_reply_text(body), request)

    def write(self, instructions: str, material: str, *, task: str, timeout: float) -> str:
        """One text written by the tenant's flow named `task` (its endpoint name, e.g. daily_brief) on the same
        Langflow server, given `instructions` and `material` as its chat input (the daily brief's)."""
        payload = {
            "input_value": f"{instructions}\n\n{material}",
            "input_type": "chat",
            "output_type": "chat",
            "session_id": f"{task}-{uuid.uuid4()}",
        }
        return _reply_text(self._post(task, payload, timeout))

    def _post(self, flow: str, payload: dict, timeout: float) -> dict:
        config = self.config
        headers = {"x-api-key": config.api_key} if config.api_key else {}
        url = f"{config.endpoint.rstrip('/')}/api/v1/run/{flow}"
        try:
            with public_client(url) if config.tenant_set else httpx.Client() as client:
                response = client.post(url, params={"stream": "false"}, json=payload, headers=headers, timeout=timeout)
        except OutboundURLRefused as exc:
            raise EngineError(f"The tenant's Langflow URL is refused: {exc}", reply=unreachable()) from exc
        except httpx.TimeoutException as exc:
            raise EngineError(f"Langflow did not answer within {timeout}s", reply=timed_out(timeout)) from exc
        except httpx.HTTPError as exc:
            raise EngineError(f"Could not reach Langflow: {type(exc).__name__}: {exc}", reply=unreachable()) from exc
        if not response.is_success:
            raise EngineError(
                f"Langflow answered HTTP {response.status_code} {response.reason_phrase}", reply=unreachable()
            )
        try:
            body = load_json(response.content, check_text=False)  # its text is checked where it is used
        except UnreadableInput as exc:
            raise EngineError(f"Langflow answered HTTP {response.status_code} with a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise EngineError(f"Langflow answered with a JSON {type(body).__name__}, expected an object")
        return body


def _reply_text(body: dict) -> str:
    """The chat output's text: results.message.text, or the older outputs.message.message."""
    try:
        output = body["outputs"][0]["outputs"][0]
    except (KeyError, IndexError, TypeError):
        raise EngineError("Langflow response has no outputs[0].outputs[0]") from None
    text = _dig(output, "results", "message", "text")
    if text is None:
        legacy = _dig(output, "outputs", "message", "message")
        text = legacy.get("text") if isinstance(legacy, dict) else legacy
    if not isinstance(text, str):
        raise EngineError("Langflow response has no text at outputs[0].outputs[0].results.message.text")
    if not text.strip():
        raise EngineError("Langflow returned an empty reply")
    return text.strip()


def _dig(value, *keys):
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _reply_from_text(text: str, request: EngineRequest) -> EngineReply:
    """A JSON object (bare or fenced) is a structured reply; anything else is the reply itself."""
    fenced = FENCED_JSON.fullmatch(text)
    try:
        data = load_json(fenced.group(1) if fenced else text, check_text=False)  # parse_actions checks the text
    except UnreadableInput:
        return EngineReply(text=text)
    if not isinstance(data, dict):
        return EngineReply(text=text)
    reply = data.get("reply")
    if not isinstance(reply, str) or not reply.strip():
        raise EngineError("Langflow returned a JSON reply without a non-empty string at reply")
    actions = parse_actions(data.get("actions", []), where="Langflow actions")
    notes = [outcome.note for outcome in _drafted(data.get("drafts", []), request)]
    return EngineReply(text="\n\n".join([*notes, reply.strip()]), actions=actions)


def _drafted(raw: object, request: EngineRequest) -> list[drafts.Outcome]:
    """Store the drafts the flow wrote (agents.drafts decides which may be stored, and says so)."""
    if not isinstance(raw, list):
        raise EngineError("Langflow drafts must be a list")
    try:
        check_value(raw)  # what is stored of it must be text PostgreSQL takes
    except UnreadableInput as exc:
        raise EngineError(f"Langflow drafts: {exc}") from None
    return [
        drafts.draft(
            item,
            tenant=request.tenant,
            agent=request.agent,
            user=request.user,
            conversation_id=request.conversation_id,
            may_write=request.may_write,
        )
        for item in raw
    ]
