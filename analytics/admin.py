from django.contrib import admin
from unfold.admin import ModelAdmin

from analytics.models import PlatformEvent
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin


@admin.register(PlatformEvent)
class PlatformEventAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    list_display = ["created_at", "event_type", "user", "conversation_id", "subject_id"]
    list_filter = ["event_type"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    show_full_result_count = False
