"""The approval queue as an approver's inbox: what waits for the viewer, its count, and the queue's views.

The admin's queue filter, the sidebar badge and the tabs above the queue read the same definitions here.
"""

from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hitl.access import approvals_for, may_decide
from hitl.models import ApprovalStatus, HITLApproval, HITLDecision

MINE, PENDING, EVERYTHING = "mine", "pending", "all"
QUEUES = [(MINE, _("Waiting for me")), (PENDING, _("All pending")), (EVERYTHING, _("Everything"))]
QUEUE_PARAM = "queue"
NEXT_LOOKAHEAD = 20  # rows "next" reads to find one the viewer may decide (all of them, unless a grant was withdrawn)


def default_queue(user) -> str:
    """Deciders open on their own inbox; those who only review (compliance) on everything pending."""
    return MINE if may_decide(user) else PENDING


def in_queue(queryset, queue: str, user):
    if queue == MINE:
        return queryset.filter(HITLApproval.objects.waiting_for(user), status=ApprovalStatus.PENDING)
    if queue == PENDING:
        return queryset.filter(status=ApprovalStatus.PENDING)
    return queryset


def next_for(user, after: HITLApproval) -> HITLApproval | None:
    """The most urgent other approval waiting for `user`'s decision ("Approve and next"): their own inbox, less
    those they already decided at the level they wait at (a level needing several approvals)."""
    decided_here = HITLDecision.objects.filter(approval=OuterRef("pk"), level=OuterRef("approval_level"), approver=user)
    candidates = (
        in_queue(approvals_for(user), MINE, user)
        .exclude(pk=after.pk)
        .exclude(Exists(decided_here))
        .order_by(*most_urgent_first())
    )
    return next((a for a in candidates[:NEXT_LOOKAHEAD] if may_decide(user, a)), None)


def most_urgent_first():
    """Nearest SLA deadline first; approvals without one (decided, or no SLA) after those with one."""
    return [F("sla_deadline").asc(nulls_last=True), "priority", "-requested_at"]


def waiting_count(request) -> int | None:
    """The sidebar badge: approvals waiting for the viewer's decision (None, shown as no badge, when none)."""
    return waiting_for(request.user) or None


def waiting_for(user) -> int | None:
    """How many approvals wait for `user`'s decision; None when they decide none (the console's live badge)."""
    if not may_decide(user):
        return None
    return in_queue(approvals_for(user), MINE, user).count()


def _tab_active(queue):
    def active(request) -> bool:
        if request.path != reverse("admin:hitl_hitlapproval_changelist"):
            return False
        chosen = request.GET.get(QUEUE_PARAM)
        if chosen is None and not _has_other_filters(request):
            chosen = default_queue(request.user)
        return chosen == queue

    return active


def _has_other_filters(request) -> bool:
    return any(key not in ("o", "p", "q", "_changelist_filters") for key in request.GET)


mine_tab_active = _tab_active(MINE)
pending_tab_active = _tab_active(PENDING)
everything_tab_active = _tab_active(EVERYTHING)
