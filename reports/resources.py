"""What the two reports' CSV exports hold (django-import-export)."""

from import_export import fields

from agents.actions import agent_name
from analytics.models import ConversationMetrics, HITLAnalytics
from tenants.exports import ReadableResource


class ConversationMetricsResource(ReadableResource):
    agent_types = fields.Field(column_name="agent_types")

    class Meta:
        model = ConversationMetrics
        fields = [
            "conversation_id", "channel", "agent_types", "message_count", "duration_seconds", "first_response_ms",
            "avg_response_time_ms", "user_satisfaction_score", "issue_resolved", "escalated_to_human",
            "hitl_approvals_count", "started_at", "ended_at",
        ]  # fmt: skip
        export_order = fields

    def dehydrate_agent_types(self, row):
        return ", ".join(agent_name(agent) for agent in row.agent_types)


def per_currency_cell(amounts) -> str:
    """Totals by currency in one cell a reader and a spreadsheet both split: "JPY 9000; USD 10144.93" (the code and
    the plain amount, by code). One column per currency would change the file's columns with the data."""
    if not isinstance(amounts, dict):
        return ""
    return "; ".join(f"{code} {amounts[code]}" for code in sorted(amounts))


class HITLAnalyticsResource(ReadableResource):
    cost_approved = fields.Field(column_name="cost_approved")
    cost_rejected = fields.Field(column_name="cost_rejected")

    class Meta:
        model = HITLAnalytics
        fields = [
            "period_type", "period_start", "total_requests", "total_approved", "total_rejected", "total_expired",
            "total_cancelled", "total_pending", "avg_decision_minutes", "median_decision_minutes",
            "p90_decision_minutes", "sla_compliance_rate", "low_risk_count", "medium_risk_count", "high_risk_count",
            "critical_risk_count", "cost_approved", "cost_rejected",
            "action_type_breakdown", "top_approvers",
        ]  # fmt: skip
        export_order = fields

    def dehydrate_cost_approved(self, row):
        return per_currency_cell(row.cost_approved)

    def dehydrate_cost_rejected(self, row):
        return per_currency_cell(row.cost_rejected)
