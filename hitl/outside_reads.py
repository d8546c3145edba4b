"""A request from an agent outside Walker as that agent reads it, beside its decision (hitl.outside_decisions): the
risk as approvers see it, and the outcome the agent reported. The approval-request API and the MCP server answer
with the same words, from here."""

from hitl.risk import readable_factors
from hitl.services.outside_results import REPORTED


def risk_of(approval) -> dict:
    """The risk score, its level and each factor in readable words."""
    factors = readable_factors(approval.risk_factors, approval.action_type)
    return {"score": approval.risk_score, "level": approval.risk_level, "factors": factors}


def result_of(approval) -> dict | None:
    """The outcome the agent reported (outcome, detail, reported_at); None before it reports one."""
    if not approval.execution_result.get(REPORTED):
        return None
    return {
        "outcome": approval.execution_status,
        "detail": approval.execution_result.get("detail", ""),
        "reported_at": approval.execution_result.get("reported_at"),
    }
