"""The conversation list as an inbox (conversations.inbox): tabs with counts above it, and per row the person's
name, the latest message masked, the holder's unread count, the age and the reply SLA. The list refreshes itself
on the console socket's conversation frames (static/admin/walker-live.js)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from conversations import inbox, person_asked
from conversations.models import Label
from tenants.pii import mask
from tenants.privacy.sealing import placeholders

PREVIEW_CHARS = 80


class InboxFilter(admin.SimpleListFilter):
    """Waiting for a person, mine or unassigned (the tabs above the list); no choice: all."""

    title = _("inbox")
    parameter_name = inbox.BOX_PARAM

    def lookups(self, request, model_admin):
        return inbox.BOXES

    def queryset(self, request, queryset):
        return inbox.in_box(queryset, self.value(), request.user)


class LabelFilter(admin.SimpleListFilter):
    """The viewer's tenant's labels, a few rows (Django's RelatedOnlyFieldListFilter joined every conversation of
    the tenant with its labels on each opening of the inbox), and the labelled conversations taken by id from the
    labels' table, not joined: a join would make the list SELECT DISTINCT over every row it keeps."""

    title = _("labels")
    parameter_name = "labels__id__exact"

    def lookups(self, request, model_admin):
        return [(str(label.pk), label.name) for label in Label.objects.for_user(request.user)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        labelled = Label.conversations.through.objects.filter(label_id=self.value()).values("conversation_id")
        return queryset.filter(pk__in=labelled)


class InboxAdminMixin:
    """For ConversationAdmin: the inbox's columns, tabs and label filter."""

    inbox_columns = ["person", "preview", "labels_shown", "channel", "holder", "unread", "age", "reply_sla"]
    inbox_filters = [InboxFilter, LabelFilter]
    list_before_template = "admin/conversations/inbox_tabs.html"

    def changelist_view(self, request, extra_context=None):
        request.inbox_counts = inbox.counts(request.user)
        tabs = inbox.tabs(request, request.inbox_counts)
        return super().changelist_view(request, {**(extra_context or {}), "inbox_tabs": tabs})

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """A tab's list is counted by its tab already: not a second time (at a big tenant, a read of every
        conversation waiting for a person, or the planner's estimate where the tab has the exact count). A search's
        list is counted in the form its search gives for counting (conversations.search.for_list says why)."""
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        counted = inbox.tab_count(request.GET, getattr(request, "inbox_counts", None))
        if counted is None and (found := getattr(request, "search_counted", None)) is not None:
            counted = super().get_paginator(request, found, per_page, orphans, allow_empty_first_page).count
        if counted is not None:
            paginator.count = counted  # over the cached_property: this page's count
        return paginator

    @display(description=_("person"), ordering="user__first_name")
    def person(self, obj):
        """The name (colleagues know their customers by name); the address stays masked, as everywhere."""
        name = f"{obj.user.first_name} {obj.user.last_name}".strip()
        return format_html(
            '<span data-testid="inbox-person">{}</span><br><span class="text-xs opacity-75">{}</span>',
            name or mask(obj.user.email),
            mask(obj.user.email),
        )

    @display(description=_("latest message"))
    def preview(self, obj):
        text = placeholders(obj.preview_masked_source or "")
        return text if len(text) <= PREVIEW_CHARS else f"{text[: PREVIEW_CHARS - 1]}…"

    @display(description=_("labels"))
    def labels_shown(self, obj):
        return format_html_join(
            " ",
            '<span data-testid="inbox-label" style="display:inline-block;padding:0 .45rem;border-radius:1rem;'
            'font-size:.75rem;color:{};background:{}">{}</span>',
            ((label.text_colour, label.colour, label.name) for label in obj.labels.all()),
        )

    @display(description=_("unread"), ordering="unread")
    def unread(self, obj):
        if not obj.held_by_id:
            return ""
        return format_html(
            '<span data-testid="inbox-unread" class="{}">{}</span>',
            "font-semibold" if obj.unread else "",
            obj.unread or 0,
        )

    @display(description=_("age"), ordering="started_at")
    def age(self, obj):
        return timesince(obj.started_at, timezone.now(), depth=1)

    @display(description=_("reply due"))
    def reply_sla(self, obj):
        """Counts down in the page (static/admin/walker-sla.js) while a person owes the customer a reply: the holder,
        or whoever takes over a conversation whose customer asked for a person."""
        if not obj.is_open or not (obj.held_by_id or obj.person_requested_at):
            return ""
        if obj.person_requested_at and obj.waiting_since == obj.person_requested_at:
            due = person_asked.reply_due(obj.tenant, obj.person_requested_at)  # within the team's hours
        else:
            due = inbox.reply_due(obj.waiting_since)
        if due is None:  # the holder answered everything
            return ""
        late = due <= timezone.now()
        words = (
            gettext("due now") if late else gettext("in %(time)s") % {"time": timesince(timezone.now(), due, depth=1)}
        )
        return format_html('<span data-sla-deadline="{}" data-testid="inbox-sla">{}</span>', due.isoformat(), words)
