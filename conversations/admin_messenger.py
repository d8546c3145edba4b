"""The conversation page as a messenger: the thread, the reply and note boxes and the contact sidebar are one part
of the page (admin/conversations/conversation_live.html) that the page's script swaps for a fresh one after each
step (htmx posts to the takeover view) and when the console socket tells of a change, without a reload.

The part is always masked: a reveal is a page of its own (tenants.privacy.admin_reveal), posted with its reason, and
its steps go back to the plain page."""

from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext

from conversations import canned, contact, inbox
from conversations.access import may_handle
from conversations.models import Label
from tenants.privacy.audit import record_access

LIVE_TEMPLATE = "admin/conversations/conversation_live.html"
KEPT = ("reply_text", "note_text")  # a refused step's boxes come back as they were typed


class MessengerAdminMixin:
    """For ConversationAdmin (before TakeoverAdminMixin, whose steps answer htmx with `conversation_fragment`)."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.live_view)
        return [path("<path:object_id>/live/", view, name="conversations_conversation_live"), *super().get_urls()]

    def messenger_context(self, request, obj) -> dict:
        """The page's part beside the thread: whoever may hold it has read it up to now; the contact sidebar; for
        those who may answer, the tenant's labels and canned responses (filled in for this conversation)."""
        handles = may_handle(request.user, obj)
        if handles:
            inbox.mark_read(obj, request.user)
        chosen = {label.pk for label in obj.labels.all()}
        labels = Label.objects.filter(tenant_id=obj.tenant_id) if handles else obj.labels.all()
        return {
            "details": self.details(obj),
            "contact": contact.card(obj, request.user),
            "labels": [(label, label.pk in chosen) for label in labels],
            "may_label": handles,
            "canned": canned.offered(obj, request.user) if handles else [],
            "may_add_canned": request.user.has_perm("conversations.add_cannedresponse"),
            "live_url": reverse("admin:conversations_conversation_live", args=[obj.pk]),
        }

    def details(self, obj) -> list[tuple[str, str]]:
        """What changes as the conversation goes on, shown in the part each step refreshes: its status, the agent
        answering, its times and the satisfaction rating (the form below keeps only what never changes)."""
        shown = [
            (gettext("Status"), obj.get_status_display()),
            (gettext("Agent"), obj.agent.name if obj.agent_id else "—"),
            (gettext("Started"), _when(obj.started_at)),
            (gettext("Last message"), _when(obj.last_message_at)),
        ]
        if obj.ended_at:
            shown.append((gettext("Ended"), _when(obj.ended_at)))
        return [*shown, (gettext("Satisfaction"), self.rating(obj))]

    def live_view(self, request, object_id):
        """The page's part, fresh (GET): what the script swaps in when the console socket tells of a change."""
        return self.conversation_fragment(request, object_id)

    def conversation_fragment(self, request, object_id):
        """The page's part for `object_id`, with the outcome of the step just taken; a view like the page's own
        (recorded in the access log, masked)."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record_access(request, obj, tenant=obj.tenant, revealed=False, reason="")
        outcomes = list(get_messages(request))
        failed = any(outcome.level == messages.ERROR for outcome in outcomes)
        context = {
            **self.shown_with(request, obj, revealed=False),
            "original": obj,
            "pii_shown": False,
            "outcomes": outcomes,
            "kept": {box: request.POST.get(box, "") for box in KEPT} if failed else {},  # nothing typed is lost
        }
        return TemplateResponse(request, LIVE_TEMPLATE, context)


def _when(moment) -> str:
    return date_format(localtime(moment), "j M Y H:i") if moment else "—"
