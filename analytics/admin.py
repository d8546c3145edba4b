"""The email delivery log in the admin; the event log's and the analytics pages' admin live in `reports`,
which reads the apps above analytics."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import display

from analytics.models import EmailDeliveryLog
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin


@admin.register(EmailDeliveryLog)
class EmailDeliveryLogAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    """Every email sent and what the provider said since; subjects masked (a reply repeats the person's subject)."""

    list_display = ["created_at", "email_type", "user", "masked_subject", "status", "sent_at", "delivered_at"]
    list_filter = ["status", "email_type", "provider", ("created_at", RangeDateTimeFilter)]
    list_select_related = ["user"]
    search_fields = ["message_id", "reference"]
    fields = [
        "email_type", "user", "masked_subject", "provider", "status", "message_id", "attempts", "created_at",
        "sent_at", "delivered_at", "opened_at", "clicked_at", "bounced_at", "failure_reason",
    ]  # fmt: skip
    ordering = ["-created_at"]
    show_full_result_count = False

    @display(description=_("subject"))
    def masked_subject(self, obj):
        return obj.masked_subject  # the sealed subject's placeholders: nothing is decrypted
