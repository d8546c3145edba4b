"""The read tool hitl offers every agent: the approvals waiting in the business (agents.read_tools).

The agent answers one person, so it lists what that person may see through `hitl.access.approvals_for`, the
rule the approvals API follows: a member hears of their own requests, a reviewer of the tenant's queue.
"""

from agents.read_tools import ALL_AGENTS, LIST_LIMIT, ReadTool
from hitl.access import approvals_for
from hitl.models import ApprovalStatus


def pending_approvals(tenant, asker, args: dict) -> dict:
    rows = (
        approvals_for(asker)
        .filter(tenant=tenant, status=ApprovalStatus.PENDING)
        .order_by("sla_deadline", "requested_at")
        .values("reference", "action_type", "action_summary", "risk_level", "sla_deadline")[:LIST_LIMIT]
    )
    return {"pending": [{**row, "sla_deadline": _iso(row["sla_deadline"])} for row in rows]}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


PENDING_APPROVALS = ReadTool(
    "pending_approvals",
    "Actions waiting for a human decision that the person you answer may see (their own requests, or the "
    "business's queue for those who review it), most urgent first.",
    {"type": "object", "properties": {}, "additionalProperties": False},
    ALL_AGENTS,
    pending_approvals,
)
