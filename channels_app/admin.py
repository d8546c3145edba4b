"""The WhatsApp channel in the admin console: the tenant's number and templates, and every send's status. The Slack
workspace's page is the Slack channel's own module (`channels_app.slack.admin`), registered by importing it here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from channels_app.slack import admin as slack_admin  # noqa: F401
from channels_app.whatsapp.code_requests import send_code_after_commit
from channels_app.whatsapp.models import WhatsAppSend, WhatsAppSender, WhatsAppTemplate
from tenants.admin import UserPhoneNumberAdmin
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantOwnedAdmin, TenantScopedAdminMixin
from tenants.models import UserPhoneNumber
from tenants.pii import mask


@admin.register(WhatsAppSender)
class WhatsAppSenderAdmin(TenantOwnedAdmin):
    list_display = ["number", "messaging_service_sid", "tenant"]
    list_select_related = ["tenant"]


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(TenantOwnedAdmin):
    list_display = ["purpose", "content_sid", "variables", "tenant"]
    list_select_related = ["tenant"]


@admin.register(WhatsAppSend)
class WhatsAppSendAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    list_display = [
        "created_at",
        "sid",
        "recipient",
        "part",
        "status",
        "error_code",
        "template_sid",
        "message",
        "notification",
    ]
    list_filter = ["status"]
    search_fields = ["sid"]
    list_select_related = ["message", "notification"]
    show_full_result_count = False

    @display(description=_("to"))
    def recipient(self, obj):
        return mask(obj.to)


admin.site.unregister(UserPhoneNumber)


@admin.register(UserPhoneNumber)
class PhoneNumberWithCodesAdmin(UserPhoneNumberAdmin):
    """The phone numbers' admin, with the action that sends a new WhatsApp code."""

    actions = ["send_verification_code"]

    @action(description=_("Send a new WhatsApp verification code"))
    def send_verification_code(self, request, queryset):
        unverified = list(queryset.filter(verified=False))
        for phone in unverified:
            send_code_after_commit(phone)
        messages.info(
            request,
            ngettext(
                "A new code is on its way to %(count)d number; already verified ones skipped.",
                "A new code is on its way to %(count)d numbers; already verified ones skipped.",
                len(unverified),
            )
            % {"count": len(unverified)},
        )
