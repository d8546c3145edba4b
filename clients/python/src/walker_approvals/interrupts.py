"""LangGraph's human interrupts, read as Walker requests and answered from Walker's decisions.

Three shapes are understood, each answered in the shape its graph expects:

- Agent Inbox's `HumanInterrupt` (`interrupt(request)` or `interrupt([request])`), answered by a `HumanResponse`:
  accept, edit (`{"action", "args"}`, the action's name as asked), response (the note), ignore (a rejection, the
  reason in `args`);
- LangChain's `HumanInTheLoopMiddleware`, batched (`{"action_requests", "review_configs"}`, answered
  `{"decisions": [...]}`) and per call (`{"type": "tool_approval", ...}`, answered by one decision).

This module is pure: it knows no client and no graph, so the adapters' loops stay small."""

import hashlib
from dataclasses import dataclass
from typing import Any

from walker_approvals.errors import WalkerError
from walker_approvals.models import DECISIONS, Decision

# The middleware's names for Walker's answers (Walker names them as Agent Inbox does).
MIDDLEWARE = {"approve": "accept", "edit": "edit", "respond": "respond", "reject": "reject"}
KEY_MAX = 200  # Walker's longest idempotency key


class NotAnApproval(WalkerError):
    """An interrupt that asks a person for something other than an approval: the graph's own code answers it."""


@dataclass(frozen=True)
class Ask:
    """One action to put to Walker's approvers."""

    name: str
    args: dict
    description: str
    allowed: tuple[str, ...]


def asks_of(value: Any, response_schema: Any = None) -> list[Ask]:
    """The actions an interrupt's value puts to a person, in order (a per-call interrupt's `response_schema` says
    which decisions its tool allows)."""
    if isinstance(value, list) and value and all(_is_inbox(item) for item in value):
        return [_inbox_ask(item) for item in value]
    if _is_inbox(value):
        return [_inbox_ask(value)]
    if isinstance(value, dict) and "action_requests" in value and "review_configs" in value:
        configs = {config["action_name"]: config for config in value["review_configs"]}
        return [_middleware_ask(request, configs[request["name"]]) for request in value["action_requests"]]
    if isinstance(value, dict) and value.get("type") == "tool_approval":
        return [_middleware_ask(value, _allowed_by_schema(response_schema))]
    raise NotAnApproval(f"Not an approval interrupt, so not Walker's to answer: {str(value)[:200]}")


def resume_value(value: Any, asks: list[Ask], decisions: list[Decision]) -> Any:
    """What the graph resumes with, in the shape its interrupt asked in."""
    if isinstance(value, list):
        return [inbox_response(ask, decision) for ask, decision in zip(asks, decisions, strict=True)]
    if _is_inbox(value):
        return inbox_response(asks[0], decisions[0])
    if "action_requests" in value:
        return {"decisions": [middleware_decision(a, d) for a, d in zip(asks, decisions, strict=True)]}
    return middleware_decision(asks[0], decisions[0])


def inbox_response(ask: Ask, decision: Decision) -> dict:
    """Agent Inbox's `HumanResponse`. An edit names the action as asked: an approver changes args, never the action."""
    if decision.type == "accept":
        return {"type": "accept", "args": None}
    if decision.type == "edit":
        return {"type": "edit", "args": {"action": ask.name, "args": decision.args}}
    if decision.type == "respond":
        return {"type": "response", "args": decision.note}
    return {"type": "ignore", "args": decision.note}  # rejected, expired or cancelled: the reason, for the agent


def middleware_decision(ask: Ask, decision: Decision) -> dict:
    """`HumanInTheLoopMiddleware`'s decision: approve, edit (same tool), respond (the note as the tool's answer),
    reject (the reason)."""
    if decision.type == "accept":
        return {"type": "approve"}
    if decision.type == "edit":
        return {"type": "edit", "edited_action": {"name": ask.name, "args": decision.args}}
    if decision.type == "respond":
        return {"type": "respond", "message": decision.note}
    return {"type": "reject", "message": decision.note} if decision.note else {"type": "reject"}


def idempotency_key(thread_id: str, interrupt_id: str, index: int) -> str:
    """The same on every run of the same thread at the same interrupt, so a resumed graph finds its request again."""
    key = f"langgraph:{thread_id}:{interrupt_id}:{index}"
    return key if len(key) <= KEY_MAX else f"langgraph:{hashlib.sha256(key.encode()).hexdigest()}"


def _is_inbox(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("action_request"), dict) and "config" in value


def _inbox_ask(value: dict) -> Ask:
    request, config = value["action_request"], value["config"]
    wanted = {
        "accept": config.get("allow_accept"),
        "edit": config.get("allow_edit"),
        "respond": config.get("allow_respond"),
        "reject": config.get("allow_ignore"),
    }
    allowed = tuple(answer for answer in DECISIONS if wanted[answer])
    description = value.get("description") or f"Run {request['action']}."
    return Ask(request["action"], dict(request.get("args") or {}), description, allowed)


def _allowed_by_schema(schema: Any) -> dict | None:
    """The decision types a per-call interrupt's JSON Schema admits: its discriminator's, or its one `type`'s."""
    if not isinstance(schema, dict):
        return None
    mapping = (schema.get("discriminator") or {}).get("mapping")
    if mapping:
        return {"allowed_decisions": list(mapping)}
    single = ((schema.get("properties") or {}).get("type") or {}).get("const")
    return {"allowed_decisions": [single]} if single in MIDDLEWARE else None


def _middleware_ask(request: dict, config: dict | None) -> Ask:
    allowed = DECISIONS if config is None else tuple(MIDDLEWARE[d] for d in config["allowed_decisions"])
    description = request.get("description") or f"Run {request['name']}."
    return Ask(request["name"], dict(request.get("args") or {}), description, allowed)
