"""Answer through an OpenAI-compatible chat completions API; actions are proposed with function calls.

Each action type the agent may propose is offered as one tool named after the action type, beside the
read tools of agents.read_tools (looked up through the gateway, results returned to the model) and, for the
Content agent, the drafting tool of agents.drafts (a draft stored at once, its outcome returned to the model).
"""

import json
import time

import openai
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from agents import action_specs, drafts, gateway, read_tools
from agents.actions import AGENT_ACTIONS, ProposedAction
from agents.engines.base import EngineError, EngineReply, EngineRequest, timed_out, unreachable
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
DRAFTING_PROMPT = (
    " Asked to write a piece (a blog post, a newsletter, a social post), write it whole and save it with "
    f"{drafts.TOOL}; then say in a line or two what you wrote. Saving a draft publishes nothing."
)
MAX_STEPS = 5  # model calls per answer: reads, then the answer
SUBMITTED = {"status": "submitted for human approval; nothing changes until a person approves it"}
CUT_SHORT = gettext_lazy("(The AI engine stopped before it finished its answer.)")


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
        writes = {drafts.TOOL} if request.may_write and drafts.may_draft(request.agent) else set()
        tools = [tool_for(name) for name in sorted(allowed)] + [tool.schema() for tool in reads.values()]
        tools += [drafts.tool()] if writes else []
        messages = _conversation(request, drafting=bool(writes))
        deadline = time.monotonic() + settings.AGENT_ENGINE_TIMEOUT
        actions: list[ProposedAction] = []
        drafted: list[drafts.Outcome] = []
        for _step in range(MAX_STEPS):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                message = _first_message(self._complete(messages, tools, timeout=remaining, on_delta=request.on_delta))
            except EngineError:
                if drafted:  # the drafts are stored: the person hears of them, and that the answer stopped there
                    return _reply("", actions, drafted, cut_short=True)
                raise
            content, tool_calls = message.get("content") or "", message.get("tool_calls") or []
            if not isinstance(content, str) or not isinstance(tool_calls, list):
                raise EngineError("OpenAI response has a non-string content or non-list tool_calls")
            answered_now = [call for call in tool_calls if _name(call) in reads or _name(call) in writes]
            actions += [
                _proposal(call, allowed, request.agent.agent_type) for call in tool_calls if call not in answered_now
            ]
            if not answered_now:
                return _reply(content, actions, drafted)
            results = []
            for call in tool_calls:
                if _name(call) in writes:
                    drafted.append(_draft(call, request))
                    results.append(_tool_result(call, drafted[-1].for_model()))
                else:
                    results.append(_tool_result(call, _lookup(call, request) if call in answered_now else SUBMITTED))
            messages.append({"role": "assistant", "content": content or None, "tool_calls": tool_calls})
            messages += results
        if actions or drafted:
            return _reply("", actions, drafted, cut_short=bool(drafted))
        reply = timed_out(settings.AGENT_ENGINE_TIMEOUT) if time.monotonic() >= deadline else None
        raise EngineError(
            f"OpenAI did not answer within {MAX_STEPS} steps or {settings.AGENT_ENGINE_TIMEOUT}s", reply=reply
        )

    def write(self, instructions: str, material: str, *, task: str, timeout: float) -> str:
        """One text written from `instructions` and `material`, without tools (the daily brief's). `task` names
        what is written; this engine needs no more than the instructions."""
        messages = [{"role": "system", "content": instructions}, {"role": "user", "content": material}]
        content = _first_message(self._complete(messages, None, timeout=timeout, limit=timeout)).get("content")
        if not isinstance(content, str) or not content.strip():
            raise EngineError(f"OpenAI wrote no text for {task}")
        return content.strip()

    def _complete(
        self, messages: list[dict], tools: list[dict] | None, *, timeout: float, on_delta=None, limit=None
    ) -> object:
        """The decoded JSON body, read raw because OpenAI-compatible servers do not all follow the SDK's models;
        streamed when someone watches (`on_delta`) and the server streams, then put together in the same shape.
        `limit`: the whole answer's time limit in seconds, as the person is told it (AGENT_ENGINE_TIMEOUT)."""
        config, limit = self.config, limit or settings.AGENT_ENGINE_TIMEOUT
        try:
            with openai.OpenAI(
                base_url=config.endpoint,
                api_key=config.api_key,
                timeout=timeout,
                max_retries=0,
                http_client=public_client(config.endpoint) if config.tenant_set else None,
            ) as client:
                response = client.chat.completions.with_raw_response.create(
                    model=config.model,
                    messages=messages,
                    tools=tools or openai.NOT_GIVEN,
                    stream=on_delta is not None,
                )
                if on_delta is not None and response.headers.get("content-type", "").startswith("text/event-stream"):
                    return _assembled(response.parse(), on_delta)
                body = response.http_response.read().decode()  # not streamed, or a server ignoring `stream`
        except OutboundURLRefused as exc:
            raise EngineError(f"The tenant's engine endpoint is refused: {exc}", reply=unreachable()) from exc
        except openai.APITimeoutError as exc:
            raise EngineError(f"OpenAI did not answer within {limit}s", reply=timed_out(limit)) from exc
        except openai.APIConnectionError as exc:
            raise EngineError(f"Could not reach OpenAI at {config.endpoint}", reply=unreachable()) from exc
        except openai.APIStatusError as exc:
            # The SDK's message can quote the (masked) key, so only the status is reported.
            raise EngineError(f"OpenAI answered HTTP {exc.status_code}", reply=unreachable()) from exc
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


def _conversation(request: EngineRequest, *, drafting: bool = False) -> list[dict]:
    system = SYSTEM_PROMPT.format(
        agent=request.agent.name, agent_type=request.agent.get_agent_type_display(), tenant=request.tenant.name
    ) + (DRAFTING_PROMPT if drafting else "")
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


def _reply(content: str, actions: list[ProposedAction], drafted=(), *, cut_short=False) -> EngineReply:
    """The model's text after Walker's own word on each draft (saved and named, or why not): the notes come
    first, so that cutting a long answer never cuts them."""
    text = content.strip()
    if not text and actions:
        text = "For your approval:\n" + "\n".join(f"• {action.summary}" for action in actions)
    if cut_short:
        text = "\n\n".join(filter(None, [text, str(CUT_SHORT)]))
    text = "\n\n".join(filter(None, [*(outcome.note for outcome in drafted), text]))
    if not text:
        raise EngineError("OpenAI returned an empty answer (no text and no tool calls)")
    return EngineReply(text=text, actions=actions)


def _name(call: object) -> str | None:
    function = call.get("function") if isinstance(call, dict) else None
    return function.get("name") if isinstance(function, dict) else None


def _tool_result(call: dict, result: dict) -> dict:
    return {"role": "tool", "tool_call_id": str(call.get("id", "")), "content": json.dumps(result, default=str)}


def _arguments(call: dict):
    """The call's arguments, bounded and storable (they are audited); raises TypeError or UnreadableInput."""
    return load_json(call["function"].get("arguments") or "{}")


def _lookup(call: dict, request: EngineRequest) -> dict:
    """A read tool's data for the model, or why it was not read."""
    try:
        return gateway.read(
            _name(call),
            _arguments(call),
            tenant=request.tenant,
            agent=request.agent,
            user=request.user,
            conversation_id=request.conversation_id,
        )
    except TypeError:
        return {"error": "the arguments are not valid JSON"}
    except UnreadableInput as exc:
        return {"error": f"the arguments are unreadable: {exc}"}
    except gateway.ReadRefused as refused:
        return {"error": str(refused)}


def _draft(call: dict, request: EngineRequest) -> drafts.Outcome:
    try:
        arguments = _arguments(call)
    except (TypeError, UnreadableInput):
        arguments = None  # refused as unreadable
    return drafts.draft(
        arguments,
        tenant=request.tenant,
        agent=request.agent,
        user=request.user,
        conversation_id=request.conversation_id,
        may_write=request.may_write,
    )


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
