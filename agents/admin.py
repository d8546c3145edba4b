"""The marketing data the agents read, and the tool gateway's audit: for looking, not editing.

Changes to campaigns, content and audiences happen through approved actions.
"""

from django.contrib import admin
from unfold.admin import ModelAdmin

from agents.models import (
    AIAgent,
    AudienceSegment,
    Campaign,
    CampaignDailyStat,
    ContentPiece,
    KeywordRanking,
    TargetKeyword,
    ToolCallAudit,
)
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    show_full_result_count = False

    def get_list_filter(self, request):
        filters = list(self.list_filter)
        return [*filters, "tenant"] if request.user.is_superuser else filters


@admin.register(AIAgent)
class AIAgentAdmin(ReadOnlyAdmin):
    list_display = ["name", "agent_type", "is_system_agent", "is_active", "tenant"]
    list_filter = ["agent_type", "is_active"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "platform", "status", "daily_budget", "updated_at"]
    list_filter = ["platform", "status"]
    search_fields = ["name"]


@admin.register(CampaignDailyStat)
class CampaignDailyStatAdmin(ReadOnlyAdmin):
    list_display = ["date", "campaign", "spend", "impressions", "clicks", "conversions", "revenue"]
    list_filter = ["campaign__platform"]
    list_select_related = ["campaign"]
    date_hierarchy = "date"
    ordering = ["-date"]


@admin.register(KeywordRanking)
class KeywordRankingAdmin(ReadOnlyAdmin):
    list_display = ["date", "keyword", "position", "previous_position", "search_volume"]
    search_fields = ["keyword"]
    ordering = ["-date", "keyword"]


@admin.register(TargetKeyword)
class TargetKeywordAdmin(ReadOnlyAdmin):
    list_display = ["keyword", "created_at"]
    search_fields = ["keyword"]


@admin.register(ContentPiece)
class ContentPieceAdmin(ReadOnlyAdmin):
    list_display = ["title", "channel", "status", "scheduled_for", "published_at", "views", "engagement"]
    list_filter = ["channel", "status"]
    search_fields = ["title"]


@admin.register(AudienceSegment)
class AudienceSegmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "size", "weekly_growth", "created_at"]
    search_fields = ["name"]


@admin.register(ToolCallAudit)
class ToolCallAuditAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action_type", "decision", "reason", "agent", "summary"]
    list_filter = ["decision", "action_type"]
    list_select_related = ["agent"]
    search_fields = ["summary", "reason"]
    ordering = ["-created_at"]
