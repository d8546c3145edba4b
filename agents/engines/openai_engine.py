"""Answer through an OpenAI-compatible chat completions API; actions are proposed with function calls.

Each action type the agent may propose is offered as one tool named after the action type, beside the
read tools of agents.read_tools (looked up through the gateway, results returned to the model).
"""

import json
import time

import openai
from django.conf import settings
from django.utils import translation

from agents import action_specs, gateway, read_tools
from agents.actions import AGENT_ACTIONS, ProposedAction
from agents.engines.base import EngineError, EngineReply, EngineRequest
from agents.engines.config import EngineConfig, environment
from agents.engines.proposals import SUMMARY_MAX_CHARS, parse_action
from tenants.input_text import UnreadableInput, load_json
from tenants.outbound import OutboundURLRefused, public_client

SYSTEM_PROMPT = (
    "You are {agent}, the {agent_type} agent of Walker for {tenant}. "
    "Answer briefly, as in a WhatsApp message. Look figures up with the read tools before answering; "
    "never invent them. Never say a change is done: propose changes only by calling the proposal tools; "
    "a human approves each one."
)
MAX_STEPS = 5  # model calls per answer: reads, then the answer


def tool_for(action_type: str) -> dict:
    """The proposal tool of an action type, from its spec: the model is asked for every field, names included."""
    spec = action_specs.spec_for(action_type)
    properties = {
        "action_data": {"type": "object", "properties": spec.properties, "required": list(spec.properties)},
        "summary": {
            "type": "string",
            "maxLength": SUMMARY_MAX_CHARS,
            "description": "One line shown to the user and to the approver",
        },
        "estimated_cost": {"type": "number", "minimum": 0, "description": "Extra money committed over 30 days"},
        "estimated_reach": {"type": "integer", "minimum": 0, "description": "People or impressions touched"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1, "description": "How sure this is what was asked"},
    }
    return {
        "type": "function",
        "function": {
            "name": action_type,
            "description": f"Propose for human approval: {_english(spec.label)}.",
            "parameters": {"type": "object", "properties": properties, "required": list(properties)},
        },
    }


def _english(label) -> str:
    """The model is briefed in English whatever the requester's language (labels are translated for people)."""
    with translation.override("en"):
        return str(label)


class OpenAIEngine:
    """A bounded tool loop: read tools run at once (through the gateway) and their results go back to the
    model; proposal tools become actions for human approval and are never executed here."""

    external = True  # the conversation leaves Walker

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or environment("openai")

    def run(self, request: EngineRequest) -> EngineReply:
        allowed = AGENT_ACTIONS[request.agent.agent_type]
        reads = {tool.name: tool for tool in read_tools.tools_for(request.agent)}
        tools = [tool_for(name) for name in sorted(allowed)] + [tool.schema() for tool in reads.values()]
        messages = _conversation(request)
        deadline = time.monotonic() + settings.AGENT_ENGINE_TIMEOUT
        actions: list[ProposedAction] = []
        for _ in range(MAX_STEPS):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            message = _first_message(self._complete(messages, tools, timeout=remaining, on_delta=request.on_delta))
            content, tool_calls = message.get("content") or "", message.get("tool_calls") or []
            if not isinstance(content, str) or not isinstance(tool_calls, list):
                raise EngineError("OpenAI response has a non-string content or non-list tool_calls")
            lookups = [call for call in tool_calls if _name(call) in reads]
            proposals = [call for call in tool_calls if call not in lookups]
            actions += [_proposal(call, allowed, request.agent.agent_type) for call in proposals]
            if not lookups:
                return _reply(content, actions)
            messages.append({"role": "assistant", "content": content or None, "tool_calls": tool_calls})
            messages += [_tool_result(call, request, is_read=call in lookups) for call in tool_calls]
        if actions:
            return _reply("", actions)
        raise EngineError(f"OpenAI did not answer within {MAX_STEPS} steps or {settings.AGENT_ENGINE_TIMEOUT}s")

    def _complete(self, messages: list[dict], tools: list[dict], *, timeout: float, on_delta=None) -> object:
        """The decoded JSON body, read raw because OpenAI-compatible servers do not all follow the SDK's models;
        streamed when someone watches (`on_delta`) and the server streams, then put together in the same shape."""
        config = self.config
        try:
            with openai.OpenAI(
                base_url=config.endpoint,
                api_key=config.api_key,
                timeout=timeout,
                max_retries=0,
                http_client=public_client(config.endpoint) if config.tenant_set else None,
            ) as client:
                response = client.chat.completions.with_raw_response.create(
                    model=config.model, messages=messages, tools=tools, stream=on_delta is not None
                )
                if on_delta is not None and response.headers.get("content-type", "").startswith("text/event-stream"):
                    return _assembled(response.parse(), on_delta)
                body = response.http_response.read().decode()  # not streamed, or a server ignoring `stream`
        except OutboundURLRefused as exc:
            raise EngineError(f"The tenant's engine endpoint is refused: {exc}") from exc
        except openai.APITimeoutError as exc:
            raise EngineError(f"OpenAI did not answer within {settings.AGENT_ENGINE_TIMEOUT}s") from exc
        except openai.APIConnectionError as exc:
            raise EngineError(f"Could not reach OpenAI at {config.endpoint}") from exc
        except openai.APIStatusError as exc:
            # The SDK's message can quote the (masked) key, so only the status is reported.
            raise EngineError(f"OpenAI answered HTTP {exc.status_code}") from exc
        except openai.OpenAIError as exc:
            raise EngineError(f"OpenAI call failed: {type(exc).__name__}") from exc
        try:
            return load_json(body, check_text=False)  # its text is checked where it is used
        except UnreadableInput as exc:
            raise EngineError(f"OpenAI answered with a body that is not JSON ({exc})") from exc


def _assembled(stream, on_delta) -> dict:
    """A streamed completion as the body a plain one would have had; its text passed on as it comes."""
    content, calls = [], {}
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if delta.content:
            content.append(delta.content)
            on_delta(delta.content)
        for piece in delta.tool_calls or []:
            empty = {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
            call = calls.setdefault(piece.index, empty)
            call["id"] = piece.id or call["id"]
            if piece.function is not None:
                call["function"]["name"] += piece.function.name or ""
                call["function"]["arguments"] += piece.function.arguments or ""
    message = {"role": "assistant", "content": "".join(content), "tool_calls": [calls[i] for i in sorted(calls)]}
    return {"choices": [{"index": 0, "message": message}]}


def _conversation(request: EngineRequest) -> list[dict]:
    system = SYSTEM_PROMPT.format(
        agent=request.agent.name, agent_type=request.agent.get_agent_type_display(), tenant=request.tenant.name
    )
    return [
        {"role": "system", "content": system},
        *({"role": item.role, "content": item.text} for item in request.history),
        *_decisions(request),
        {"role": "user", "content": request.text},
    ]


def _decisions(request: EngineRequest) -> list[dict]:
    """What people decided about the agent's proposals, as the result of an `approval_outcomes` call."""
    if not request.decisions:
        return []
    call = {"id": "approval_outcomes", "type": "function", "function": {"name": "approval_outcomes", "arguments": "{}"}}
    outcomes = {"outcomes": [note.as_dict() for note in request.decisions]}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "approval_outcomes", "content": json.dumps(outcomes, default=str)},
    ]


def _reply(content: str, actions: list[ProposedAction]) -> EngineReply:
    text = content.strip()
    if not text and actions:
        text = "For your approval:\n" + "\n".join(f"• {action.summary}" for action in actions)
    if not text:
        raise EngineError("OpenAI returned an empty answer (no text and no tool calls)")
    return EngineReply(text=text, actions=actions)


def _name(call: object) -> str | None:
    function = call.get("function") if isinstance(call, dict) else None
    return function.get("name") if isinstance(function, dict) else None


def _tool_result(call: dict, request: EngineRequest, *, is_read: bool) -> dict:
    """What goes back to the model for one tool call: the data read, or that a proposal waits for a person."""
    if not is_read:
        result = {"status": "submitted for human approval; nothing changes until a person approves it"}
    else:
        try:
            arguments = load_json(call["function"].get("arguments") or "{}")  # bounded, storable (the audit)
            result = gateway.read(
                _name(call),
                arguments,
                tenant=request.tenant,
                agent=request.agent,
                user=request.user,
                conversation_id=request.conversation_id,
            )
        except TypeError:
            result = {"error": "the arguments are not valid JSON"}
        except UnreadableInput as exc:
            result = {"error": f"the arguments are unreadable: {exc}"}
        except gateway.ReadRefused as refused:
            result = {"error": str(refused)}
    return {"role": "tool", "tool_call_id": str(call.get("id", "")), "content": json.dumps(result, default=str)}


def _first_message(body: object) -> dict:
    try:
        message = body["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        message = None
    if not isinstance(message, dict):
        raise EngineError("OpenAI response has no choices[0].message")
    return message


def _proposal(call: object, allowed: frozenset[str], agent_type: str) -> ProposedAction:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or call.get("type", "function") != "function":
        raise EngineError("OpenAI made a tool call that is not a function call")
    name, arguments = function.get("name"), function.get("arguments")
    if not isinstance(name, str) or name not in allowed:
        raise EngineError(f"OpenAI called tool {name!r}, which the {agent_type} agent may not use")
    try:
        arguments = load_json(arguments, check_text=False)  # parse_action checks the text
    except (TypeError, UnreadableInput) as exc:
        raise EngineError(f"OpenAI tool call {name}: arguments are not valid JSON ({exc})") from None
    return parse_action(arguments, where=f"OpenAI tool call {name}", action_type=name)
