"""What the two reports' CSV exports hold (django-import-export)."""

from import_export import fields, resources

from agents.actions import action_name, agent_name
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


def _results_cell(name: str, side: str | None = None):
    """A figure of a payoff group's results, per currency in one cell ("JPY 9000; USD 1050.00")."""

    def cell(self, row: dict) -> str:
        results = row.get("results") or {}
        return per_currency_cell(
            {
                code: (figures[side][name] if side else figures[name])
                for code, figures in results.items()
                if (figures[side][name] if side else figures[name]) is not None
            }
        )

    return cell


class PayoffResource(resources.Resource):
    """The "did it pay off" report's groups (reports.payoff), a row each; money per currency in one cell."""

    group_by = fields.Field(attribute="group_by", column_name="group_by")
    key = fields.Field(attribute="key", column_name="key")
    name = fields.Field(attribute="name", column_name="name")
    requests = fields.Field(attribute="requests", column_name="requests")
    approved_unedited = fields.Field(attribute="approved_unedited", column_name="approved_unedited")
    approved_edited = fields.Field(attribute="approved_edited", column_name="approved_edited")
    rejected = fields.Field(attribute="rejected", column_name="rejected")
    expired = fields.Field(attribute="expired", column_name="expired")
    executed = fields.Field(attribute="executed", column_name="executed")
    held = fields.Field(attribute="held", column_name="held")
    reverted = fields.Field(attribute="reverted", column_name="reverted")
    changed_again = fields.Field(attribute="changed_again", column_name="changed_again")
    holding = fields.Field(attribute="holding", column_name="holding")
    measuring = fields.Field(attribute="measuring", column_name="measuring")
    changes_compared = fields.Field(column_name="changes_compared")
    spend_moved = fields.Field(column_name="spend_moved")
    spend_before = fields.Field(column_name="spend_before")
    spend_after = fields.Field(column_name="spend_after")
    conversions_before = fields.Field(column_name="conversions_before")
    conversions_after = fields.Field(column_name="conversions_after")
    value_before = fields.Field(column_name="value_before")
    value_after = fields.Field(column_name="value_after")
    cpa_before = fields.Field(column_name="cpa_before")
    cpa_after = fields.Field(column_name="cpa_after")
    roas_before = fields.Field(column_name="roas_before")
    roas_after = fields.Field(column_name="roas_after")

    dehydrate_changes_compared = _results_cell("changes_compared")
    dehydrate_spend_moved = _results_cell("spend_moved")
    dehydrate_spend_before = _results_cell("spend", "before")
    dehydrate_spend_after = _results_cell("spend", "after")
    dehydrate_conversions_before = _results_cell("conversions", "before")
    dehydrate_conversions_after = _results_cell("conversions", "after")
    dehydrate_value_before = _results_cell("value", "before")
    dehydrate_value_after = _results_cell("value", "after")
    dehydrate_cpa_before = _results_cell("cpa", "before")
    dehydrate_cpa_after = _results_cell("cpa", "after")
    dehydrate_roas_before = _results_cell("roas", "before")
    dehydrate_roas_after = _results_cell("roas", "after")


def _change_cell(*path):
    """A value of a measured change (reports.payoff.payoff_changes' `payoff`), by its path; "" where there is none."""

    def cell(self, row: dict):
        value = row["payoff"]
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return "" if value is None else value

    return cell


class PayoffChangeResource(resources.Resource):
    """One row per executed change of a synced campaign: its figures before and after and whether it held."""

    COLUMNS = {
        "campaign": ("campaign", "name"), "platform": ("platform",), "currency": ("currency",),
        "executed_on": ("executed_on",), "days": ("days",),
        "before_first": ("before", "first"), "before_last": ("before", "last"),
        "after_first": ("after", "first"), "after_last": ("after", "last"),
        "after_days_so_far": ("after", "days_so_far"), "after_complete": ("after", "complete"),
        **{f"{side}_{name}": (side, name) for side in ("before", "after")
           for name in ("spend", "conversions", "value", "cpa", "roas")},
        "held": ("held", "state"), "changed_at": ("held", "change", "at"), "changed_by": ("held", "change", "by"),
        "changed_by_approval": ("held", "change", "approval_reference"), "changed_through": ("held", "change", "tool"),
        "changed_from": ("held", "change", "before"), "changed_to": ("held", "change", "after"),
    }  # fmt: skip

    reference = fields.Field(attribute="approval__reference", column_name="reference")
    action_type = fields.Field(column_name="action_type")
    agent = fields.Field(column_name="agent")
    rule = fields.Field(attribute="approval__requested_by_rule", column_name="rule")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name, path in self.COLUMNS.items():
            self.fields[name] = fields.Field(column_name=name)
            setattr(self, f"dehydrate_{name}", _change_cell(*path).__get__(self))

    def dehydrate_action_type(self, row: dict) -> str:
        return action_name(row["approval"].action_type)

    def dehydrate_agent(self, row: dict) -> str:
        return agent_name(row["approval"].agent_type) if row["approval"].agent_type else ""
