"""The marketing data the agents read, and the tool gateway's audit: for looking, not editing. Changes to
campaigns, content and audiences happen through approved actions, or a whole file at once through "Import"
(agents.import_admin, tenant admins; "Export" gives the list in the same columns). A tenant admin chooses the
engine here.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from agents.action_specs.base import field_label
from agents.actions import action_name
from agents.import_admin import MarketingFileMixin
from agents.imports import (
    AudienceSegmentResource,
    CampaignDailyStatResource,
    CampaignResource,
    ContentPieceResource,
    KeywordRankingResource,
    TargetKeywordResource,
)
from agents.models import (
    AIAgent,
    AudienceSegment,
    Campaign,
    CampaignDailyStat,
    ContentPiece,
    EngineChoice,
    KeywordRanking,
    TargetKeyword,
    ToolCallAudit,
)
from agents.tenant_actions import admin as tenant_actions_admin  # noqa: F401  registers the action types' admin
from core.widgets import secret_input
from tenants.admin_scoping import ReadOnlyAdminMixin, ShownAsMixin, TenantOwnedAdmin, TenantScopedAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    show_full_result_count = False

    def get_list_filter(self, request):
        filters = list(self.list_filter)
        return [*filters, "tenant"] if request.user.is_superuser else filters


class ToolFilter(admin.SimpleListFilter):
    """The actions and reads the gateway saw, an action by its name."""

    title = _("action or read")
    parameter_name = "action_type"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list("action_type", flat=True).distinct()
        return sorted(((code, action_name(code)) for code in codes), key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        return queryset.filter(action_type=self.value()) if self.value() else queryset


@admin.register(AIAgent)
class AIAgentAdmin(ReadOnlyAdmin):
    list_display = ["name", "agent_type", "is_system_agent", "is_active", "tenant"]
    list_filter = ["agent_type", "is_active"]


@admin.register(Campaign)
class CampaignAdmin(MarketingFileMixin, ReadOnlyAdmin):
    resource_classes = [CampaignResource]
    export_name = "campaigns"
    list_display = ["name", "platform", "status", "daily_budget", "updated_at"]
    list_filter = ["platform", "status"]
    search_fields = ["name"]


@admin.register(CampaignDailyStat)
class CampaignDailyStatAdmin(MarketingFileMixin, ReadOnlyAdmin):
    resource_classes = [CampaignDailyStatResource]
    export_name = "campaign-stats"
    list_display = ["date", "campaign", "spend", "impressions", "clicks", "conversions", "revenue"]
    list_filter = ["campaign__platform"]
    list_select_related = ["campaign"]
    date_hierarchy = "date"
    ordering = ["-date"]


@admin.register(KeywordRanking)
class KeywordRankingAdmin(MarketingFileMixin, ReadOnlyAdmin):
    resource_classes = [KeywordRankingResource]
    export_name = "keyword-rankings"
    list_display = ["date", "keyword", "position", "previous_position", "search_volume"]
    search_fields = ["keyword"]
    ordering = ["-date", "keyword"]


@admin.register(TargetKeyword)
class TargetKeywordAdmin(MarketingFileMixin, ReadOnlyAdmin):
    resource_classes = [TargetKeywordResource]
    export_name = "target-keywords"
    list_display = ["keyword", "created_at"]
    search_fields = ["keyword"]


@admin.register(ContentPiece)
class ContentPieceAdmin(MarketingFileMixin, ReadOnlyAdmin):
    resource_classes = [ContentPieceResource]
    export_name = "content"
    list_display = ["title", "channel", "status", "scheduled_for", "published_at", "views", "engagement"]
    list_filter = ["channel", "status"]
    search_fields = ["title"]


@admin.register(AudienceSegment)
class AudienceSegmentAdmin(MarketingFileMixin, ReadOnlyAdmin):
    resource_classes = [AudienceSegmentResource]
    export_name = "segments"
    list_display = ["name", "size", "weekly_growth", "created_at"]
    search_fields = ["name"]


@admin.register(ToolCallAudit)
class ToolCallAuditAdmin(ShownAsMixin, ReadOnlyAdmin):
    list_display = ["created_at", "action", "decision", "reason", "agent", "summary"]
    list_filter = ["decision", ToolFilter]
    shown_as = {"action_type": "action", "action_data": "details"}

    @display(description=_("action or read"), ordering="action_type")
    def action(self, audit):
        return action_name(audit.action_type)

    @display(description=_("details"))
    def details(self, audit):
        data = audit.action_data if isinstance(audit.action_data, dict) else {}
        return format_html_join(mark_safe("<br>"), "{}: {}", ((field_label(k), v) for k, v in data.items()))

    list_select_related = ["agent"]
    search_fields = ["summary", "reason"]
    ordering = ["-created_at"]


class EngineChoiceForm(forms.ModelForm):
    """The key is write-only: the page never shows it, and leaving the field empty keeps the saved one."""

    api_key = forms.CharField(
        required=False,
        widget=secret_input(),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved key."),
    )
    tenant_of_editor = None  # set per request by the admin for tenant people

    class Meta:
        model = EngineChoice
        fields = ["tenant", "agent", "engine", "endpoint", "model", "api_key", "tools_component"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.tenant_of_editor is not None:
            self.instance.tenant = self.tenant_of_editor

    def clean_api_key(self):
        return self.cleaned_data["api_key"] or (self.instance.api_key if self.instance.pk else "")


@admin.register(EngineChoice)
class EngineChoiceAdmin(TenantOwnedAdmin):
    form = EngineChoiceForm
    list_display = ["__str__", "engine", "endpoint", "model", "key_saved", "updated_at"]
    list_filter = ["engine"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for this request
        form.tenant_of_editor = None if request.user.is_superuser else request.user.tenant
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agent" and not request.user.is_superuser:
            kwargs["queryset"] = AIAgent.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @display(description=_("key"), boolean=True)
    def key_saved(self, obj):
        return bool(obj.api_key)
