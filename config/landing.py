"""The console's first page (`/admin/`, titled Walker): the viewer's own work, not the tenant's figures.

Three sections, each shown to those who may open the lists it counts (the sidebar's `may_open`): the approvals
waiting for the viewer's decision (the most urgent few listed), the inbox's boxes and the conversations the viewer
holds (those whose customer waited longest listed), and what needs attention (approvals past their SLA, actions
that failed to run, replies a customer waits for past the inbox's SLA, ad connections needing re-authorisation,
messages the agents could not answer this week, settings that leave the tenant exposed). Each count is one query
over the same scoped querysets the lists use, so the page costs the same whatever the number of rows. The
tenant's figures and charts are Reports → Dashboard (reports.dashboard_page).
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from adplatforms.models import AdConnection, ConnectionState
from analytics.models import EventType, PlatformEvent
from config.sidebar import may_open
from conversations import inbox
from conversations.access import conversations_for, may_handle
from conversations.models import Conversation
from hitl.access import approvals_for, may_decide
from hitl.inbox import MINE, in_queue, most_urgent_first
from hitl.models import ApprovalStatus, HITLApproval
from reports.notices import mfa_off_notice, step_up_off_notice, unproven_domains_notice
from tenants.pii import mask

LISTED = 5  # approvals and held conversations listed by name; the counts and their links give the rest


@dataclass(frozen=True)
class Figure:
    """One figure of a section: what it counts, how many, the list behind it."""

    key: str
    label: str
    value: int
    link: str


def landing_callback(request, context):
    """unfold's DASHBOARD_CALLBACK: adds `work` to the admin index's context."""
    user = request.user
    approvals = _approvals(request) if may_open(HITLApproval)(request) else None
    conversations = _conversations(request) if may_open(Conversation)(request) else None
    context["work"] = {
        "approvals": approvals,
        "conversations": conversations,
        "attention": _attention(request, approvals, conversations),
        "notices": [n for n in (mfa_off_notice(user), step_up_off_notice(user), unproven_domains_notice(user)) if n],
    }
    return context


def _approvals(request) -> dict:
    user = request.user
    queue = reverse("admin:hitl_hitlapproval_changelist")
    scope = approvals_for(user)
    pending = Q(status=ApprovalStatus.PENDING)
    mine = pending & HITLApproval.objects.waiting_for(user)
    deciding = may_decide(user)
    figures = scope.order_by().aggregate(
        pending=Count("pk", filter=pending),
        breached=Count("pk", filter=pending & Q(sla_breached=True)),
        failed=Count("pk", filter=Q(status=ApprovalStatus.FAILED)),
        **({"mine": Count("pk", filter=mine)} if deciding else {}),
    )
    counts = [Figure("pending", _("All pending"), figures["pending"], f"{queue}?queue=pending")]
    waiting = []
    if deciding:
        counts.insert(0, Figure("mine", _("Waiting for my decision"), figures["mine"], f"{queue}?queue={MINE}"))
        waiting = list(in_queue(scope, MINE, user).order_by(*most_urgent_first())[:LISTED])
    return {
        "counts": counts,
        "waiting": [(a, reverse("admin:hitl_hitlapproval_change", args=[a.pk])) for a in waiting],
        "breached": Figure(
            "breached",
            _("Approvals past their SLA"),
            figures["breached"],
            f"{queue}?status__exact=pending&sla_breached__exact=1",
        ),
        "failed": Figure(
            "failed", _("Approved actions that failed to run"), figures["failed"], f"{queue}?status__exact=failed"
        ),
    }


def _conversations(request) -> dict:
    """The inbox's boxes; for those who hold conversations, theirs first and the customers waiting on their reply
    past the inbox's reply SLA (conversations.inbox.reply_due)."""
    user = request.user
    base = reverse("admin:conversations_conversation_changelist")
    boxes = inbox.counts(user)
    mine = f"{base}?{inbox.BOX_PARAM}={inbox.MINE}"
    counts = [
        Figure("unassigned", _("Unassigned"), boxes[inbox.UNASSIGNED], f"{base}?{inbox.BOX_PARAM}={inbox.UNASSIGNED}"),
        Figure("all", _("All conversations"), boxes["all"], base),
    ]
    if not may_handle(user):
        return {"counts": counts, "overdue": None, "held": []}
    due_since = timezone.now() - timedelta(minutes=settings.INBOX_REPLY_SLA_MINUTES)
    held = inbox.with_inbox_columns(
        conversations_for(user).filter(held_by=user).exclude(status=Conversation.Status.CLOSED).order_by()
    )
    overdue = held.filter(waiting_since__lt=due_since).count()
    longest_waiting = held.select_related("user").order_by(F("waiting_since").asc(nulls_last=True))[:LISTED]
    return {
        "counts": [Figure("mine", _("Mine"), boxes[inbox.MINE], mine), *counts],
        "overdue": Figure("overdue", _("Customers waiting on my reply past the SLA"), overdue, mine),
        "held": [_held(conversation) for conversation in longest_waiting],
    }


def _held(conversation) -> dict:
    """A conversation the viewer holds, as the inbox shows it: the customer's name (the address masked), the
    messages they wrote since the viewer last read it, and when a reply is due."""
    return {
        "name": f"{conversation.user.first_name} {conversation.user.last_name}".strip()
        or mask(conversation.user.email),
        "channel": conversation.get_channel_display(),
        "unread": conversation.unread or 0,
        "reply_due": inbox.reply_due(conversation.waiting_since),
        "link": reverse("admin:conversations_conversation_change", args=[conversation.pk]),
    }


def _attention(request, approvals: dict | None, conversations: dict | None) -> list[Figure]:
    """The figures that need someone to act, those above zero."""
    found = []
    if approvals:
        found += [approvals["breached"], approvals["failed"]]
    if conversations and conversations["overdue"]:
        found.append(conversations["overdue"])
    if may_open(AdConnection)(request):
        stuck = AdConnection.objects.for_user(request.user).filter(state=ConnectionState.NEEDS_REAUTHORISATION).count()
        link = reverse("admin:adplatforms_adconnection_changelist")
        found.append(
            Figure(
                "reauthorise",
                _("Ad connections needing re-authorisation"),
                stuck,
                f"{link}?state__exact={ConnectionState.NEEDS_REAUTHORISATION}",
            )
        )
    if may_open(PlatformEvent)(request):
        found.append(_failed_answers(request.user))
    return [figure for figure in found if figure.value]


def _failed_answers(user) -> Figure:
    """Messages every answer attempt failed on this week (each got an apology instead of an answer), as the
    dashboard's red card counts them (reports.dashboard.event_figures)."""
    since = (timezone.now() - timedelta(days=7)).replace(microsecond=0)
    failed = PlatformEvent.objects.for_user(user).filter(event_type=EventType.ANSWER_FAILED, created_at__gte=since)
    query = urlencode({"event_type__exact": EventType.ANSWER_FAILED, "created_at__gte": since.isoformat()})
    return Figure(
        "failed_answers",
        _("Messages the agents could not answer, last 7 days"),
        failed.count(),
        f"{reverse('admin:analytics_platformevent_changelist')}?{query}",
    )
