"""The platforms' recommendations in the console: a read-only list ("Platform recommendations", Approvals group:
status, campaign, what it recommends, its proposal), saying that Meta's are not read, and a section on each
campaign's page. The campaign's admin belongs to agents, below this app: the section is added to it here."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from adplatforms.models import PlatformRecommendation
from agents.models import Campaign
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin


class ShownRecommendation:
    @display(description=_("proposal"))
    def proposal(self, row):
        if row.approval_id is None:
            return "—"
        url = reverse("admin:hitl_hitlapproval_change", args=[row.approval_id])
        return format_html('<a href="{}">{}</a>', url, row.approval.reference)


@admin.register(PlatformRecommendation)
class PlatformRecommendationAdmin(ShownRecommendation, ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    list_display = ["first_seen_at", "campaign", "connection", "kind", "status", "summary", "proposal"]
    list_filter = ["status", "kind", "connection__platform", ("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["campaign__name", "summary"]
    date_hierarchy = "first_seen_at"
    list_select_related = ["campaign", "connection", "approval"]
    list_before_template = "admin/adplatforms/recommendations_note.html"
    fields = readonly_fields = [
        "first_seen_at", "last_seen_at", "campaign", "connection", "kind", "status", "summary", "proposal", "outcome",
        "ended_at", "resource_name",
    ]  # fmt: skip


class RecommendationInline(ShownRecommendation, TabularInline):
    model = PlatformRecommendation
    fk_name = "campaign"
    extra = max_num = 0
    can_delete = False
    verbose_name_plural = _("the platform's recommendations")
    fields = readonly_fields = ["first_seen_at", "kind", "status", "summary", "proposal"]
    ordering = ["-first_seen_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approval")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


campaigns = admin.site.get_model_admin(Campaign)
campaigns.inlines = [*campaigns.inlines, RecommendationInline]
