"""A tenant's ad guardrails in the console (one per tenant), and the changes Walker made on the platforms (read
only: written by the executor)."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from adplatforms.models import AdGuardrails, PlatformChange
from tenants.admin_scoping import TenantOwnedAdmin


@admin.register(AdGuardrails)
class AdGuardrailsAdmin(TenantOwnedAdmin):
    list_display = ["tenant", "max_change_percent", "max_daily_change_percent", "min_daily_budget", "updated_at"]
    list_select_related = ["tenant"]
    fieldsets = [
        (_("Budget changes on the ad platforms"), {
            "fields": ["max_change_percent", "max_daily_change_percent", "min_daily_budget"],
            "description": _("Checked when an agent proposes a budget change and again just before Walker writes "
                             "it on the platform; a change outside them is refused with the reason."),
        }),
    ]  # fmt: skip

    def add_view(self, request, form_url="", extra_context=None):
        """A tenant has one set of guardrails: once it exists, "add" opens it to be changed."""
        if not request.user.is_superuser:
            mine = AdGuardrails.objects.filter(tenant_id=request.user.tenant_id)
            existing = mine.values_list("pk", flat=True).first()
            if existing is not None:
                return redirect(reverse("admin:adplatforms_adguardrails_change", args=[existing]))
        return super().add_view(request, form_url, extra_context)


@admin.register(PlatformChange)
class PlatformChangeAdmin(TenantOwnedAdmin):
    list_display = ["at", "campaign", "connection", "field", "before", "after", "currency"]
    list_filter = ["field"]
    list_select_related = ["campaign", "connection"]
    readonly_fields = [
        "connection", "campaign", "field", "before", "after", "currency", "before_units", "after_units",
        "approval_id", "at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
