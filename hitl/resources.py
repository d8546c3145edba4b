"""What the approval queue's CSV export holds (django-import-export)."""

from import_export import fields, resources

from hitl.models import HITLApproval


class ApprovalResource(resources.ModelResource):
    requested_by = fields.Field(attribute="requested_by__email", column_name="requested_by")
    approved_by = fields.Field(attribute="approved_by__email", column_name="approved_by")
    rejected_by = fields.Field(attribute="rejected_by__email", column_name="rejected_by")

    class Meta:
        model = HITLApproval
        fields = [
            "reference", "status", "action_type", "action_summary", "agent_type", "risk_level", "risk_score",
            "estimated_cost", "estimated_reach", "approval_level", "total_levels", "requested_by", "requested_at",
            "sla_deadline", "sla_breached", "resolved_at", "approved_by", "rejected_by", "rejection_reason",
            "execution_status", "executed_at",
        ]  # fmt: skip
        export_order = fields

    @staticmethod
    def prepared(queryset):
        """The queryset with the people each row names, in the same query."""
        return queryset.select_related("requested_by", "approved_by", "rejected_by")
