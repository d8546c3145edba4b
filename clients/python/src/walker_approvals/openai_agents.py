"""Gate an OpenAI Agents SDK agent by Walker: its tools marked `needs_approval` pause the run; each pending call
is put to Walker's approvers, approved or rejected on the run's state, and the run resumed, until it ends.

    result = await walker_approvals.openai_agents.run(agent, "Raise Summer Sale to 700", client)

The SDK approves a call with the args the model gave (`RunState.approve` takes no others), so an approver cannot
edit them here: requests from this adapter never allow `edit`. A `respond` note and a rejection's reason reach
the model as the tool's answer (`RunState.reject(..., rejection_message=...)`); the tool does not run.
"""

import json
import uuid
from typing import Any

from agents import Agent, Runner, RunResult, ToolApprovalItem

from walker_approvals.aclient import AsyncClient
from walker_approvals.errors import WalkerError
from walker_approvals.models import Decision

ALLOWED = ("accept", "respond", "reject")  # never `edit`: the SDK runs a call only with the model's own args
NO_REASON = "An approver rejected this call in Walker."


async def run(
    agent: Agent,
    input: Any,
    client: AsyncClient,
    *,
    run_id: str | None = None,
    timeout: float | None = None,
    actions: dict[str, str] | None = None,
    describe=None,
    **options,
) -> RunResult:
    """`Runner.run(agent, input)`, with every interruption answered through Walker; the finished run's result.

    `run_id` names this run in the requests' idempotency keys (with each call's id): pass the same one to run a
    conversation again after a crash and nothing is filed twice. `actions` maps tool names to Walker keys;
    `describe(item) -> str` writes what approvers read; `options` go to every request (`context`, `expires_in`)."""
    run_id = run_id or str(uuid.uuid4())
    result = await Runner.run(agent, input)
    while result.interruptions:
        state = result.to_state()
        # Every pending call filed first, so approvers see them together; then each decision awaited.
        filed = [
            await client.request(**_request(item, run_id, actions or {}, describe, options))
            for item in result.interruptions
        ]
        for item, asked in zip(result.interruptions, filed, strict=True):
            answer(state, item, await client.wait(asked.id, timeout))
        result = await Runner.run(agent, state)
    return result


def answer(state, item: ToolApprovalItem, decision: Decision) -> None:
    """Approve on `accept`; reject with the approver's words on anything else."""
    if decision.type == "accept":
        state.approve(item)
    elif decision.type == "edit":  # never allowed by this adapter's requests; refuse to run other args silently
        raise WalkerError("Walker approved with edited args, which the OpenAI Agents SDK cannot run.")
    else:
        state.reject(item, rejection_message=decision.note or NO_REASON)


def _request(item: ToolApprovalItem, run_id: str, actions: dict, describe, options: dict) -> dict:
    name = item.name or ""
    try:
        args = json.loads(item.arguments or "{}")
    except ValueError as error:
        raise WalkerError(f"The model's arguments for {name} are not JSON: {item.arguments!r}") from error
    return {
        "action": actions.get(name, name),
        "args": args,
        "description": describe(item) if describe else f"Run {name} with {item.arguments}.",
        "allowed_decisions": ALLOWED,
        "idempotency_key": f"openai-agents:{run_id}:{item.call_id}",
        **options,
    }
