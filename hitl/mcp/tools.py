"""What each MCP tool does for the integration token that calls it (the agent), in the words the agent reads.

Filing is `hitl.services.outside.file_request`, reporting `hitl.services.outside_results.report_result`, and a
request reads as the approval-request API reads it (decision_of, risk_of, result_of): the MCP tools are another
door to the same requests, with the same refusals (`Refused`). A request of another tenant is not found.

Waiting for a decision is the API's long poll's (hitl.outside_waiting): a waiting call holds no thread and no
database connection, and one query a tick checks every wait of the process, so many agents may wait at once.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from pydantic import BaseModel, ConfigDict, Field

from agents.tenant_actions.models import TenantActionType
from hitl.approval_requests_api import requests_of
from hitl.links import approval_url
from hitl.models import Answer, ApprovalRequest, ApprovalStatus
from hitl.outside_decisions import decision_of
from hitl.outside_reads import result_of, risk_of
from hitl.outside_waiting import still_waiting, until_decided
from hitl.services import outside_results, step_up
from hitl.services.execution import runs_in_walker
from hitl.services.outside import Ask, Refused, file_request

DEFAULT_WAIT = 20  # seconds a tool waits for the decision unless told otherwise; at most API_EVENTS_MAX_WAIT


@dataclass(frozen=True)
class Reply:
    text: str  # what a model reads: the state in words, what to do next, then the data as JSON
    data: dict  # the same as structured content


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WaitArguments(Arguments):
    wait_seconds: int = Field(
        DEFAULT_WAIT,
        ge=0,
        le=settings.API_EVENTS_MAX_WAIT,
        description="Seconds to wait for the decision before answering with the request as it stands.",
    )


class RequestApprovalArguments(WaitArguments):
    action: str = Field(description="The key of an action type the tenant registered (list_action_types).")
    args: dict = Field(description="The action's args, checked against the type's JSON Schema (64 KiB).")
    description: str = Field(description="What the agent wants and why, up to 2,000 characters: approvers read it.")
    context: str = Field("", description="Optional text or a link for the approvers, up to 2,000 characters.")
    idempotency_key: str = Field(
        "", description="The same key with the same args answers the same request instead of filing another."
    )
    expires_in: int | None = Field(
        None, description="Seconds until the request ends rejected without a decision; the type's default if left out."
    )
    allowed_decisions: list[Literal[tuple(Answer.values)]] | None = Field(
        None, description="What approvers may answer, of accept, edit, respond and reject; all by default."
    )


class CheckApprovalArguments(WaitArguments):
    id: UUID = Field(description="The request's id, as request_approval answered it.")


class ReportResultArguments(Arguments):
    id: UUID = Field(description="The id of the approved request the agent carried out.")
    outcome: Literal[tuple(outcome.value for outcome in outside_results.OUTCOMES)] = Field(
        description="How carrying out the approved action went."
    )
    detail: str = Field(description="What happened, in words approvers read (up to 2,000 characters).")


async def request_approval(token, given: RequestApprovalArguments) -> Reply:
    allowed = tuple(given.allowed_decisions) if given.allowed_decisions is not None else None
    ask = Ask(
        action=given.action,
        args=given.args,
        description=given.description,
        context=given.context,
        idempotency_key=given.idempotency_key,
        expires_in=given.expires_in,
        allowed_decisions=allowed,
    )
    filed = await in_db(file_request, token, ask)
    await _wait_for_decision(filed.request.pk, given.wait_seconds)
    read = await in_db(_read, token, filed.request.approval_id)
    repeated = "" if filed.created else "This idempotency key filed this request before. "
    return _reply({**read, "created": filed.created}, repeated)


async def check_approval(token, given: CheckApprovalArguments) -> Reply:
    asked = await in_db(_own, token, given.id)
    await _wait_for_decision(asked.pk, given.wait_seconds)
    return _reply(await in_db(_read, token, given.id))


async def report_result(token, given: ReportResultArguments) -> Reply:
    recorded = await in_db(_report, token, given)
    read = await in_db(_read, token, given.id)
    said = "Recorded. " if recorded else "Recorded before, with the same outcome and detail. "
    return _reply(read, said)


async def list_action_types(token, given: Arguments) -> Reply:
    types = await in_db(_action_types, token)
    named = "; ".join(f"{kind['key']} ({kind['name']})" for kind in types) or "none yet"
    text = (
        f"The action types this tenant registered, which request_approval takes as `action`: {named}. A tenant "
        "admin registers more in Walker (Agents → Action types)."
    )
    data = {"action_types": types}
    return Reply(f"{text}\n{_json(data)}", data)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    arguments: type[Arguments]
    run: Callable[[object, Arguments], Awaitable[Reply]]
    read_only: bool


TOOLS = {
    tool.name: tool
    for tool in (
        ToolSpec(
            "request_approval",
            "Ask a person for approval of an action before doing it. Files the request (risk, approvers, "
            "notifications) and waits up to wait_seconds for the decision: accept or edit means act, only with "
            "decision.args; respond or reject means do not act. Still waiting: follow with check_approval.",
            RequestApprovalArguments,
            request_approval,
            read_only=False,
        ),
        ToolSpec(
            "check_approval",
            "The request and, once decided, its decision; waits up to wait_seconds for it.",
            CheckApprovalArguments,
            check_approval,
            read_only=True,
        ),
        ToolSpec(
            "report_result",
            "After carrying out an approved request (a type that runs by the agent), report how it went; once.",
            ReportResultArguments,
            report_result,
            read_only=False,
        ),
        ToolSpec(
            "list_action_types",
            "The action types the tenant registered: their keys, names, JSON Schema of args, the fields an "
            "approver may edit, who carries them out and how long a request waits by default.",
            Arguments,
            list_action_types,
            read_only=True,
        ),
    )
}


async def in_db(function, *args):
    """`function(*args)` in a pooled thread, with a connection of its own that is closed (or given back to the
    pool) when it returns, as Django does around a request."""
    return await sync_to_async(_closing, thread_sensitive=False)(function, *args)


def _closing(function, *args):
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


async def _wait_for_decision(pk, seconds: int) -> None:
    if seconds and await in_db(still_waiting, pk):
        await until_decided(pk, seconds)


def _own(token, approval_id) -> ApprovalRequest:
    asked = requests_of(token).select_related("approval__tenant").filter(approval_id=approval_id).first()
    if asked is None:
        raise Refused("not_found", f"This tenant has no approval request {approval_id}.", "id")
    return asked


def _read(token, approval_id) -> dict:
    """The request as the agent reads it; `step_up` says where approvers decide one that needs a second factor."""
    asked = _own(token, approval_id)
    approval = asked.approval
    needs_factor = approval.status == ApprovalStatus.PENDING and step_up.needed(approval)
    return {
        "id": approval.pk,
        "reference": approval.reference,
        "status": approval.status,
        "action": approval.action_type,
        "args_sha256": asked.args_sha256,
        "agent": asked.agent_name,
        "allowed_decisions": asked.allowed_decisions,
        "risk": risk_of(approval),
        "requested_at": approval.requested_at,
        "expires_at": approval.expires_at,
        "decision": decision_of(asked),
        "result": result_of(approval),
        "carried_out_by": "walker" if runs_in_walker(approval) else "agent",
        "step_up": {"console_url": approval_url(approval)} if needs_factor else None,
    }


def _report(token, given: ReportResultArguments) -> bool:
    asked = _own(token, given.id)
    if asked.token_id != token.pk:
        raise Refused("forbidden", "Only the agent that asked reports the outcome of its request.", "id")
    _, recorded = outside_results.report_result(asked, outcome=given.outcome, detail=given.detail)
    return recorded


def _action_types(token) -> list[dict]:
    rows = TenantActionType.objects.for_tenant(token.tenant).order_by("key")
    return [
        {
            "key": row.key,
            "name": row.name_in(),
            "names": row.names,
            "args_schema": row.args_schema,
            "editable_fields": row.editable_fields,
            "money_field": row.money_field,
            "currency": row.currency,
            "currency_field": row.currency_field,
            "reach_field": row.reach_field,
            "reversible": row.reversible,
            "runs_by": row.runs_by,
            "default_expiry_seconds": int(row.default_expiry.total_seconds()),
        }
        for row in rows
    ]


def _reply(read: dict, opening: str = "") -> Reply:
    data = json.loads(_json(read))
    return Reply(f"{opening}{_in_words(data)}\n{_json(data)}", data)


def _in_words(read: dict) -> str:
    """The request's state and what the agent does next."""
    ref, decision = read["reference"], read["decision"]
    if decision is None:
        words = (
            f"{ref} waits for a decision (status {read['status']}, risk {read['risk']['level']}). Do not act yet: "
            f"call check_approval with id {read['id']} to wait for it."
        )
        if read["step_up"]:
            words += (
                " Deciding it needs an approver's second factor, so they decide it in Walker's console: "
                f"{read['step_up']['console_url']}"
            )
        return words
    by, note = decision["decided_by"], decision["note"]
    if decision["type"] == Answer.RESPOND:
        return f"{by} answered {ref} instead of deciding: “{note}”. Do not act; ask anew if the answer says how."
    if decision["type"] == Answer.REJECT:
        return f"{ref} was rejected ({note or 'no reason given'}): do not act, and do not retry as if it were an error."
    edited = " after editing it" if decision["type"] == Answer.EDIT else ""
    words = f"{ref} was approved by {by}{edited}" + (f" (note: “{note}”)" if note else "")
    if read["carried_out_by"] == "walker":
        return f"{words}. Walker carries it out itself: do not act on it."
    if edited:
        words += f". Act only with decision.args (SHA-256 {decision['args_sha256']}), never with the args you sent"
    else:
        words += ". Act with decision.args"
    if read["result"] is not None:
        return f"{words}. Its outcome was reported: {read['result']['outcome']}."
    return f"{words}, then call report_result with id {read['id']}."


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
