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


class HITLAnalyticsResource(ReadableResource):
    class Meta:
        model = HITLAnalytics
        fields = [
            "period_type", "period_start", "total_requests", "total_approved", "total_rejected", "total_expired",
            "total_cancelled", "total_pending", "avg_decision_minutes", "median_decision_minutes",
            "p90_decision_minutes", "sla_compliance_rate", "low_risk_count", "medium_risk_count", "high_risk_count",
            "critical_risk_count", "total_estimated_cost_approved", "total_estimated_cost_rejected",
            "action_type_breakdown", "top_approvers",
        ]  # fmt: skip
        export_order = fields
