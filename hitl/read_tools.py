"""The read tool hitl offers every agent: the approvals waiting in the business (agents.read_tools)."""

from agents.read_tools import ALL_AGENTS, LIST_LIMIT, ReadTool
from hitl.models import ApprovalStatus, HITLApproval


def pending_approvals(tenant, args: dict) -> dict:
    rows = (
        HITLApproval.objects.filter(tenant=tenant, status=ApprovalStatus.PENDING)
        .order_by("sla_deadline", "requested_at")
        .values("reference", "action_type", "action_summary", "risk_level", "sla_deadline")[:LIST_LIMIT]
    )
    return {"pending": [{**row, "sla_deadline": _iso(row["sla_deadline"])} for row in rows]}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


PENDING_APPROVALS = ReadTool(
    "pending_approvals",
    "Actions waiting for a human decision in this business, most urgent first.",
    {"type": "object", "properties": {}, "additionalProperties": False},
    ALL_AGENTS,
    pending_approvals,
)
