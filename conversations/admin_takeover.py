"""Human takeover in the console: the conversation page's controls, the steps they post, the list's holder column
and filter. Every step goes through conversations.takeover, whose access checks are the API's."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseForbidden, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from conversations import labelling, takeover
from conversations.access import handlers_for, may_handle, may_take_from
from conversations.models import Message
from tenants.access import AccessDenied
from tenants.pii import redact
from tenants.privacy.audit import may_see_pii

SUGGESTION_KEY = "takeover-suggestion:{}"  # the session keeps a suggested reply until the page shows it
DONE = {
    "take_over": _("You hold this conversation now; the agents stay quiet until you release it."),
    "assign": _("Assigned."),
    "note": _("Note added (never sent to the customer)."),
    "release": _("Handed back to the agents."),
    "resolve": _("Resolved and closed."),
    "labels": _("Labels saved."),
}
# A reply's outcome as its channel left it when the step returned (conversations.takeover.reply).
REPLY_OUTCOMES = {
    Message.Status.DELIVERED: (messages.SUCCESS, _("Reply sent.")),
    Message.Status.SENT: (messages.SUCCESS, _("Reply sent.")),
    Message.Status.READ: (messages.SUCCESS, _("Reply sent.")),
    Message.Status.PENDING: (messages.INFO, _("Reply queued for sending; its status shows in the thread.")),
    Message.Status.BLOCKED: (messages.ERROR, _("Reply not sent, blocked: %(reason)s. It is kept in the thread.")),
    Message.Status.FAILED: (messages.ERROR, _("Reply not sent: %(reason)s. It is kept in the thread.")),
}


class HolderFilter(admin.SimpleListFilter):
    title = _("answered by")
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("me", _("Held by me")), ("person", _("Held by a person")), ("agents", _("The agents"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(held_by=request.user)
        if self.value() == "person":
            return queryset.filter(held_by__isnull=False)
        if self.value() == "agents":
            return queryset.filter(held_by__isnull=True)
        return queryset


class TakeoverAdminMixin:
    """For ConversationAdmin: the controls on the conversation page and the view they post to."""

    @display(description=_("answered by"))
    def holder(self, obj) -> str:
        """The person holding it, else the agent answering it (none picked yet before its first answer)."""
        if obj.held_by_id:
            name = takeover.display_name(obj.held_by)
        else:
            name = obj.agent.name if obj.agent_id else gettext("Agents")
        return format_html('<span data-testid="inbox-holder">{}</span>', name)

    def takeover_context(self, request, obj) -> dict:
        if not may_handle(request.user, obj):
            return {"takeover": None}
        suggestion = request.session.pop(SUGGESTION_KEY.format(obj.pk), "")
        may_take = may_take_from(request.user, obj)  # end or pass on the hold (nobody's, theirs, or as an admin)
        others = [p for p in handlers_for(obj) if p.pk != obj.held_by_id] if may_take else []
        return {
            "takeover": {
                "url": reverse("admin:conversations_conversation_takeover", args=[obj.pk]),
                "holder": takeover.display_name(obj.held_by) if obj.held_by_id else None,
                "held_since": obj.held_since,
                "mine": obj.held_by_id == request.user.pk,
                "may_take": may_take,
                "is_open": obj.is_open,
                "channel": obj.channel,
                "assignees": [(p.pk, takeover.display_name(p)) for p in others],
                "suggestion": suggestion,
                # Handing back now would leave it so: the agents answer only what comes after (conversations.takeover).
                "unanswered": obj.held_by_id is not None and _last_is_the_customers(obj),
            }
        }

    def get_urls(self):
        view = self.admin_site.admin_view(self.takeover_view)
        return [
            path("<path:object_id>/takeover/", view, name="conversations_conversation_takeover"),
            *super().get_urls(),
        ]

    def takeover_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        step = request.POST.get("step", "")
        # From the page's script (htmx): the conversation's part of the page comes back, with the outcome in it.
        back = HttpResponseRedirect(reverse("admin:conversations_conversation_change", args=[object_id]))
        try:
            outcome = self._take_step(request, object_id, step)
        except AccessDenied as err:
            if err.code == "not_found":
                raise Http404(err.detail) from None
            if request.htmx and err.code == "forbidden" and not may_handle(request.user):
                return HttpResponseForbidden(err.detail)  # a role that handles no conversation: nothing to show
            messages.error(request, err.detail)
            return self.conversation_fragment(request, object_id) if request.htmx else back
        if step == "reply":
            level, words = REPLY_OUTCOMES.get(outcome.status, REPLY_OUTCOMES[Message.Status.PENDING])
            messages.add_message(request, level, str(words) % {"reason": _reason(outcome.error)})
        elif step in DONE:
            messages.success(request, DONE[step])
        return self.conversation_fragment(request, object_id) if request.htmx else back

    def _take_step(self, request, object_id, step: str) -> Message | None:
        """Runs the step; a reply returns its message as the channel left it (sent, queued, blocked or failed)."""
        actor = request.user
        # The panel's boxes are named per step (they post the one change form together); "text" for other posts.
        text = request.POST.get(f"{step}_text", request.POST.get("text", ""))
        if step == "take_over":
            takeover.assign(object_id, actor=actor)
        elif step == "assign":
            takeover.assign(object_id, actor=actor, to=request.POST.get("user") or None)
        elif step == "reply":
            message = takeover.reply(object_id, actor=actor, text=text)
            message.refresh_from_db(fields=["status", "error"])  # a sender that ran on commit may have moved it on
            return message
        elif step == "note":
            takeover.add_note(object_id, actor=actor, text=text)
        elif step == "release":
            takeover.release(object_id, actor=actor)
        elif step == "resolve":
            takeover.resolve(object_id, actor=actor)
        elif step == "labels":
            labelling.set_labels(object_id, actor=actor, label_ids=request.POST.getlist("label"))
        elif step == "suggest":
            suggestion = takeover.suggest(object_id, actor=actor)
            if suggestion.text is None:
                messages.warning(request, takeover.NO_SUGGESTION)  # the reply box stays as it was
                return None
            tenant = suggestion.in_reply_to.conversation.tenant
            text = suggestion.text if may_see_pii(actor, tenant) else redact(suggestion.text)
            request.session[SUGGESTION_KEY.format(suggestion.in_reply_to.conversation_id)] = text
            messages.info(request, _("The agent's suggestion is in the reply box: send it as is or edit it first."))
        else:
            messages.error(request, _("Choose take over, assign, reply, note, suggest, release, resolve or labels."))
        return None


def _last_is_the_customers(conversation) -> bool:
    """Whether the customer wrote last: their latest message has no reply after it."""
    latest = conversation.messages.order_by("-created_at").values_list("direction", flat=True).first()
    return latest == Message.Direction.INBOUND


def _reason(error: str) -> str:
    """A channel's recorded error without its status prefix, masked (a provider's answer may quote a number)."""
    return redact((error or "").removeprefix("blocked: ").rstrip(".")) or gettext("no reason was given")
