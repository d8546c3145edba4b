"""Conversation monitoring: personal data masked unless the viewer holds view_pii on the tenant.

Lists are always masked. On a detail page, holders may choose "Show full PII" with a reason, posted
(tenants.privacy.admin_reveal: never in an address). Every allowed read writes one access record (a list page
one record naming the rows it showed); a reveal is recorded with high sensitivity and its reason.
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from agents.models import AgentType
from conversations import admin_inbox_settings, inbox, search, thread  # noqa: F401  (registers the inbox's settings)
from conversations.access import conversations_for
from conversations.admin_inbox import InboxAdminMixin
from conversations.admin_messenger import MessengerAdminMixin
from conversations.admin_takeover import HolderFilter, TakeoverAdminMixin
from conversations.models import Conversation, Message, SatisfactionSurvey
from conversations.privacy import message_text
from conversations.resources import ConversationResource
from core.admin_changelist import OncePerPageChangeListMixin
from core.estimated_count import EstimatedCountPaginator
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin
from tenants.exports import StreamingCsvExportMixin
from tenants.pii import mask
from tenants.privacy.admin_reveal import GRANT_PARAM, RevealAdminMixin
from tenants.privacy.audit import Origin, may_see_pii, record, record_access, record_export


class MonitoredAdminMixin(RevealAdminMixin, ReadOnlyAdminMixin, TenantScopedAdminMixin):
    """Read-only, masked, every detail view recorded. Subclasses name their personal fields."""

    change_form_outer_before_template = "admin/conversations/pii_panel.html"

    def personal_fields(self, obj) -> list[tuple[str, str]]:
        return []

    def shown_with(self, request, obj, *, revealed: bool) -> dict:
        """More for the page, masked or revealed as decided for this view."""
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {}
        if obj is not None and self.has_view_or_change_permission(request, obj):  # a refused view leaves no record
            allowed = may_see_pii(request.user, obj.tenant)
            reason = self.revealed_reason(request, obj) if allowed else None
            revealed = reason is not None
            record_access(request, obj, tenant=obj.tenant, revealed=revealed, reason=reason or "")
            extra = {
                "pii_allowed": allowed,
                "pii_shown": revealed,
                "reveal_reason": reason or "",  # the revealed thread's page buttons post it again
                "reveal_url": self.reveal_url(obj),
                "request_path": request.path,
                "personal": [(label, value if revealed else mask(value)) for label, value in self.personal_fields(obj)],
                **self.shown_with(request, obj, revealed=revealed),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and changelist.result_list:
            shown = list(changelist.result_list)
            record(request.user, shown, tenant=request.user.tenant, origin=Origin.of_request(request))
        return response


class AnsweredByFilter(admin.SimpleListFilter):
    """Conversations an agent answered in (optionally between answered_since and answered_until, ISO times).

    The dashboard's "busiest agents" bars open this list: every agent that answered counts,
    not only the one the conversation was last routed to.
    """

    title = _("answered by")
    parameter_name = "answered_by"
    window = ("answered_since", "answered_until")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.window:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]

    def expected_parameters(self):
        return [self.parameter_name, *self.window]

    def lookups(self, request, model_admin):
        return AgentType.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        replies = Message.objects.filter(
            conversation=OuterRef("pk"),
            direction=Message.Direction.OUTBOUND,
            sender_type=Message.SenderType.AGENT,
            metadata__agent_type=self.value(),
        )
        since, until = (parse_datetime(self.used_parameters.get(name) or "") for name in self.window)
        if since:
            replies = replies.filter(created_at__gte=since)
        if until:
            replies = replies.filter(created_at__lt=until)
        return queryset.filter(Exists(replies))


@admin.register(Conversation)
class ConversationAdmin(
    InboxAdminMixin,
    MessengerAdminMixin,
    TakeoverAdminMixin,
    MonitoredAdminMixin,
    StreamingCsvExportMixin,
    OncePerPageChangeListMixin,
    ModelAdmin,
):
    resource_classes = [ConversationResource]  # masked, as the list shows it to everyone
    export_name = "conversations"
    list_display = ["short_id", *InboxAdminMixin.inbox_columns, "status", "message_count", "last_message_at"]
    list_filter = [
        *InboxAdminMixin.inbox_filters,
        "channel",
        "status",
        "agent__agent_type",
        AnsweredByFilter,
        HolderFilter,
    ]
    list_select_related = ["user", "agent", "tenant", "held_by"]
    search_fields = ["id"]  # and more: get_search_results
    search_help_text = _("A person's name, exact email or phone number, words of the messages, or a conversation id.")
    ordering = ["-last_message_at"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # a million rows: their count estimated past 10,000 (core.estimated_count)
    # As the approval queue: a person works down a page of 25, most recent first (Chatwoot's list pages by 25 too);
    # each row is a dozen cells rendered and four subqueries (conversations.inbox): at 50 rows they were two thirds of
    # a big tenant's inbox page and took it past 300 ms (bench/RESULTS.md).
    list_per_page = 25
    change_form_before_template = "admin/conversations/thread.html"  # the thread first, above the fields
    fields = ["short_id", "channel"]  # what changes is in the part each step refreshes (MessengerAdminMixin.details)
    readonly_fields = fields

    def get_queryset(self, request):
        visible = super().get_queryset(request) & conversations_for(request.user)  # the one rule (conversations.access)
        return inbox.with_inbox_columns(visible).prefetch_related("labels")

    def get_search_results(self, request, queryset, search_term):
        """Find conversations by person or by words without showing anything unmasked: emails and phones match
        exactly (the list still shows them masked), words by PostgreSQL full-text search where available."""
        term = search_term.strip()
        if not term:
            return queryset, False
        tenant_id = None if request.user.is_superuser else request.user.tenant_id  # the platform reads them all
        listed, counted = search.for_list(term, tenant_id)
        request.search_counted = queryset.filter(counted)  # see get_paginator
        return queryset.filter(listed), False

    def get_list_filter(self, request):
        return [*self.list_filter, "tenant"] if request.user.is_superuser else self.list_filter

    def get_export_queryset(self, request):
        return ConversationResource.prepared(super().get_export_queryset(request))

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        record_export(request, Conversation, tenant=request.user.tenant)
        return super()._do_file_export(file_format, request, queryset, export_form=export_form)

    def personal_fields(self, obj):
        return [(gettext("Person"), obj.user.email)]

    def shown_with(self, request, obj, *, revealed):
        page, bubbles = thread.page_of(obj, request.GET.get("page"), revealed=revealed)
        return {
            "thread_page": page,
            "bubbles": bubbles,
            "keep_query": _query_without_page(request),
            **self.takeover_context(request, obj),
            **self.messenger_context(request, obj),
        }

    @display(description=_("conversation"))
    def short_id(self, obj):
        return str(obj.pk)[:8]

    @display(description=_("satisfaction"))
    def rating(self, obj):
        """The person's rating (conversations.satisfaction): given, awaited, or never asked."""
        survey = SatisfactionSurvey.objects.filter(conversation=obj).first()
        if survey is None:
            return gettext("Not asked")
        if survey.score is None:
            asked = date_format(localtime(survey.asked_at), "j M Y H:i")
            return gettext("Asked %(when)s, not rated yet") % {"when": asked}
        return gettext("%(score)s of 5, rated %(when)s") % {
            "score": survey.score,
            "when": date_format(localtime(survey.rated_at), "j M Y H:i"),
        }

    @display(description=_("messages"), ordering="message_total")
    def message_count(self, obj):
        return obj.message_total


@admin.register(Message)
class MessageAdmin(MonitoredAdminMixin, ModelAdmin):
    list_display = ["created_at", "direction", "channel", "sender_type", "preview", "status"]
    list_filter = ["direction", "channel", "status", "sender_type"]
    list_select_related = ["tenant"]
    ordering = ["-created_at"]
    show_full_result_count = False
    fields = ["conversation", "created_at", "direction", "channel", "sender_type", "status", "error"]
    readonly_fields = fields

    def personal_fields(self, obj):
        return [(gettext("Text"), obj.text)]

    @display(description=_("text"))
    def preview(self, obj):
        text = message_text(obj, revealed=False)
        return text if len(text) <= 80 else f"{text[:77]}…"


def _query_without_page(request) -> str:
    """The page's query string (the admin's kept list filters) for the thread's page links; a reveal's grant is
    spent, so it is left out."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(GRANT_PARAM, None)
    return query.urlencode()
