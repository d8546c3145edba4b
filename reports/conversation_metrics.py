"""Per-conversation metrics (the seed's CONVERSATION_METRICS), recomputed for conversations that changed.

The job reads the platform event log from a per-tenant watermark (Zulip's analytics
style): conversations with events since then are recomputed, a batch at a time, each
figure an aggregate query over the batch. Nothing here runs on the message path.

Definitions: first response is the first agent reply after the first customer message
(the conversation's start if none); response time is each agent reply's distance from
the message it answers; a conversation is resolved when it is closed with no approval
still open; escalated to a human when an approval of it went to people; its satisfaction
is the person's rating (conversations.satisfaction) and its holder whoever resolved it.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q, Window
from django.db.models.fields.json import KT
from django.db.models.functions import Lag
from django.utils import timezone

from analytics.events import event, record_many
from analytics.models import CONVERSATION_EVENTS, ConversationAgent, ConversationMetrics, EventType, PlatformEvent
from conversations.models import Conversation, Message
from hitl.models import ApprovalStatus, HITLApproval
from reports.message_events import record_message_events
from reports.watermarks import LAG, job_lock

JOB = "conversation_metrics"
BATCH = 500

AGENT_REPLY = Q(direction=Message.Direction.OUTBOUND, sender_type=Message.SenderType.AGENT)
INBOUND = Q(direction=Message.Direction.INBOUND)
REPLY_TOOK = ExpressionWrapper(F("created_at") - F("in_reply_to__created_at"), output_field=DurationField())
OPEN_APPROVAL = Q(
    status__in=[ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING, ApprovalStatus.FAILED]
)
UPDATED = [
    "tenant", "channel", "agent_types", "message_count", "duration_seconds", "first_response_ms",
    "avg_response_time_ms", "user_satisfaction_score", "issue_resolved", "resolved_by", "escalated_to_human",
    "hitl_approvals_count", "started_at", "ended_at", "computed_at",
]  # fmt: skip


def refresh_tenant(tenant_id, *, now=None) -> int | None:
    """Recompute the conversations of one tenant with events or messages since its watermark (less its lag). None:
    already running."""
    now = now or timezone.now()
    with job_lock(tenant_id, JOB) as mark:
        if mark is None:
            return None
        talked = record_message_events(tenant_id, since=mark.reached - LAG)
        changed = (
            PlatformEvent.objects.filter(
                tenant_id=tenant_id,
                event_type__in=CONVERSATION_EVENTS,
                created_at__gte=mark.reached - LAG,
                conversation_id__isnull=False,
            )
            .order_by()
            .values_list("conversation_id", flat=True)
            .distinct()
        )
        count = recompute(list(set(changed) | talked))
        mark.reached = now
        mark.save(update_fields=["reached"])
    return count


def recompute(conversation_ids) -> int:
    """Recompute the metrics of these conversations, BATCH at a time; returns how many exist."""
    done = 0
    for first in range(0, len(conversation_ids), BATCH):
        done += _recompute_batch(conversation_ids[first : first + BATCH])
    return done


def _recompute_batch(ids) -> int:
    conversations = list(
        Conversation.objects.filter(pk__in=ids).values(
            "pk", "tenant_id", "channel", "status", "started_at", "ended_at", "last_message_at"
        )
    )
    if not conversations:
        return 0
    ids = [c["pk"] for c in conversations]
    messages = {row["conversation_id"]: row for row in _message_figures(ids)}
    approvals = {row["conversation_id"]: row for row in _approval_figures(ids)}
    agents = _agents(ids)
    scores = _satisfaction(ids)
    resolvers = _resolvers(ids)
    now = timezone.now()
    rows = [
        _metrics(c, messages.get(c["pk"], {}), approvals.get(c["pk"], {}), agents.get(c["pk"], []), scores, now)
        for c in conversations
    ]
    for row in rows:
        row.resolved_by_id = resolvers.get(row.conversation_id)
    with transaction.atomic():
        ConversationMetrics.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["conversation_id"], update_fields=UPDATED
        )
        metric_ids = dict(
            ConversationMetrics.objects.filter(conversation_id__in=ids).values_list("conversation_id", "pk")
        )
        ConversationAgent.objects.filter(metrics_id__in=metric_ids.values()).delete()
        by_id = {c["pk"]: c for c in conversations}
        ConversationAgent.objects.bulk_create(
            ConversationAgent(
                metrics_id=metric_ids[cid],
                tenant_id=by_id[cid]["tenant_id"],
                agent_type=agent_type,
                replies=replies,
                started_at=by_id[cid]["started_at"],
            )
            for cid, involved in agents.items()
            for agent_type, replies in involved
        )
        record_handoffs(ids)
    return len(rows)


def record_handoffs(ids) -> int:
    """A HANDOFF event for each agent reply whose agent differs from the previous reply's, once.

    Found here, from the stored replies, so the message path records nothing more; the event
    is the reply (subject), its agents and its time (`handed_at`). Returns how many were new.
    """
    switches = list(
        Message.objects.filter(AGENT_REPLY, conversation_id__in=ids, metadata__agent_type__isnull=False)
        .annotate(
            agent=KT("metadata__agent_type"),
            previous=Window(
                Lag(KT("metadata__agent_type")), partition_by=[F("conversation_id")], order_by=F("created_at").asc()
            ),
        )
        .filter(previous__isnull=False)
        .exclude(previous=F("agent"))
        .values("pk", "tenant_id", "conversation_id", "agent", "previous", "created_at")
    )
    known = set(
        PlatformEvent.objects.filter(
            event_type=EventType.HANDOFF, subject_id__in=[s["pk"] for s in switches]
        ).values_list("subject_id", flat=True)
    )
    new = [
        event(
            EventType.HANDOFF,
            tenant=switch["tenant_id"],
            conversation_id=switch["conversation_id"],
            subject_id=switch["pk"],
            from_agent=switch["previous"],
            to_agent=switch["agent"],
            handed_at=switch["created_at"].isoformat(),
        )
        for switch in switches
        if switch["pk"] not in known
    ]
    return len(record_many(new))


def _message_figures(ids):
    return (
        Message.objects.filter(conversation_id__in=ids)
        .order_by()
        .values("conversation_id")
        .annotate(
            total=Count("pk"),
            first_inbound=Min("created_at", filter=INBOUND),
            first_reply=Min("created_at", filter=AGENT_REPLY),
            avg_reply=Avg(REPLY_TOOK, filter=AGENT_REPLY & Q(in_reply_to__isnull=False)),
        )
    )


def _approval_figures(ids):
    return (
        HITLApproval.objects.filter(conversation_id__in=ids)
        .order_by()
        .values("conversation_id")
        .annotate(
            total=Count("pk"),
            by_people=Count("pk", filter=Q(decided_automatically=False)),
            still_open=Count("pk", filter=OPEN_APPROVAL),
        )
    )


def _agents(ids) -> dict:
    """conversation id -> [(agent type, replies)] in order of each agent's first reply."""
    rows = (
        Message.objects.filter(AGENT_REPLY, conversation_id__in=ids, metadata__agent_type__isnull=False)
        .order_by()
        .values("conversation_id", agent=KT("metadata__agent_type"))
        .annotate(replies=Count("pk"), first=Min("created_at"))
        .order_by("conversation_id", "first")
    )
    involved: dict = {}
    for row in rows:
        involved.setdefault(row["conversation_id"], []).append((row["agent"], row["replies"]))
    return involved


def _satisfaction(ids) -> dict:
    """The latest score given per conversation (SATISFACTION_RATED events with metadata `score`, 1 to 5)."""
    rows = (
        PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED, conversation_id__in=ids)
        .order_by("conversation_id", "created_at")
        .values_list("conversation_id", "metadata__score")
    )
    return {cid: score for cid, score in rows if isinstance(score, int) and 1 <= score <= 5}


def _resolvers(ids) -> dict:
    """Who resolved each conversation (the latest `conversation_resolved` event's person): its holder in reports."""
    rows = (
        PlatformEvent.objects.filter(event_type=EventType.RESOLVED, conversation_id__in=ids, user__isnull=False)
        .order_by("conversation_id", "created_at")
        .values_list("conversation_id", "user_id")
    )
    return dict(rows)


def _metrics(conversation, messages, approvals, agents, scores, now) -> ConversationMetrics:
    started = conversation["started_at"]
    ended = conversation["ended_at"]
    last = ended or conversation["last_message_at"] or started
    first_reply = messages.get("first_reply")
    avg_reply = messages.get("avg_reply")
    return ConversationMetrics(
        tenant_id=conversation["tenant_id"],
        conversation_id=conversation["pk"],
        channel=conversation["channel"],
        agent_types=[agent for agent, _ in agents],
        message_count=messages.get("total", 0),
        duration_seconds=max(int((last - started).total_seconds()), 0),
        first_response_ms=_ms(first_reply - (messages.get("first_inbound") or started)) if first_reply else None,
        avg_response_time_ms=_ms(avg_reply) if avg_reply is not None else None,
        user_satisfaction_score=scores.get(conversation["pk"]),
        issue_resolved=conversation["status"] == Conversation.Status.CLOSED and not approvals.get("still_open"),
        escalated_to_human=bool(approvals.get("by_people")),
        hitl_approvals_count=approvals.get("total", 0),
        started_at=started,
        ended_at=ended,
        computed_at=now,
    )


def _ms(value: timedelta) -> int:
    return max(round(value.total_seconds() * 1000), 0)
