"""A tenant's risk policy in the console: one per tenant, its thresholds and each action type's base points."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hitl.models import RiskPolicy
from hitl.policy_form import POINT_FIELDS, RiskPolicyForm
from tenants.admin_scoping import TenantOwnedAdmin


@admin.register(RiskPolicy)
class RiskPolicyAdmin(TenantOwnedAdmin):
    form = RiskPolicyForm
    list_display = ["tenant", "medium_threshold", "high_threshold", "critical_threshold", "large_cost", "updated_at"]
    list_select_related = ["tenant"]
    fieldsets = [
        (_("Risk levels"), {
            "fields": ["medium_threshold", "high_threshold", "critical_threshold", "large_cost"],
            "description": _("A score (0-100) at or above a threshold has that level; a cost of the large cost or "
                             "more scores the most it can for its size."),
        }),
        (_("Base risk of each action type (points, 0-25)"), {"fields": list(POINT_FIELDS)}),
    ]  # fmt: skip

    def add_view(self, request, form_url="", extra_context=None):
        """A tenant has one policy: once it exists, "add" opens it to be changed (checked here rather than in
        has_add_permission, which every admin page's sidebar asks)."""
        if not request.user.is_superuser:
            existing = RiskPolicy.objects.filter(tenant_id=request.user.tenant_id).values_list("pk", flat=True).first()
            if existing is not None:
                return redirect(reverse("admin:hitl_riskpolicy_change", args=[existing]))
        return super().add_view(request, form_url, extra_context)
