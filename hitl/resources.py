"""What the approval queue's CSV export holds (django-import-export): people by address as the reader may see them
(tenants.privacy.reveal.shown_email), masked unless it is their own or the export was asked as a reveal."""

from import_export import fields

from hitl.models import HITLApproval
from hitl.presentation import requester_name
from tenants.exports import ReadableResource
from tenants.privacy.reveal import shown_email


class ApprovalResource(ReadableResource):
    requested_by = fields.Field(column_name="requested_by")
    approved_by = fields.Field(column_name="approved_by")
    rejected_by = fields.Field(column_name="rejected_by")
    currency = fields.Field(attribute="currency", column_name="currency")  # of estimated_cost: the campaign's

    class Meta:
        model = HITLApproval
        fields = [
            "reference", "status", "action_type", "action_summary", "agent_type", "risk_level", "risk_score",
            "estimated_cost", "currency", "estimated_reach", "approval_level", "total_levels", "requested_by",
            "requested_at", "sla_deadline", "sla_breached", "resolved_at", "approved_by", "rejected_by",
            "rejection_reason", "execution_status", "executed_at",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, *, viewer=None, revealed: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.viewer, self.revealed = viewer, revealed

    def _shown(self, person) -> str:
        if person is None:
            return ""
        own = self.viewer is not None and person.pk == self.viewer.pk
        return shown_email(person.email, own=own, revealed=self.revealed)

    def dehydrate_requested_by(self, approval):
        """A person by address; an agent outside Walker, a performance rule or a platform's recommendations by the
        name the queue shows them under (nobody's personal data)."""
        if approval.requested_by is None and (approval.requested_by_rule or approval.outside is not None):
            return requester_name(approval)
        return self._shown(approval.requested_by)

    def dehydrate_approved_by(self, approval):
        return self._shown(approval.approved_by)

    def dehydrate_rejected_by(self, approval):
        return self._shown(approval.rejected_by)

    @staticmethod
    def prepared(queryset):
        """The queryset with the people (and the outside agent's request) each row names, in the same query."""
        return queryset.select_related("requested_by", "approved_by", "rejected_by", "outside_request")
