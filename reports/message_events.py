"""The event log's entries for messages (`message_received`, `agent_responded`), written by the metrics job.

The message path stores the message itself and nothing more for the log: these events are found here, from
the stored messages, a batch at a time, once each. Like handoffs they are logged when found (the warehouse
exports the log in the order it was written) and carry their message's own time in `at`. The metrics job runs
this first, under its per-tenant lock, and recomputes the conversations whose messages it read.
"""

from django.db.models import F

from analytics.events import event, record_many
from analytics.models import EventType, PlatformEvent
from conversations.models import Message
from conversations.normalized import REFUSED

BATCH = 1000
FIELDS = ("pk", "tenant_id", "conversation_id", "conversation__user_id", "channel", "direction", "metadata")
# An agent's answer (conversations.pipeline.answering) records how long it took; an apology after every attempt
# failed, an approval's news and a person's reply do not, and are not answers.
RECEIVED = {"direction": Message.Direction.INBOUND}
ANSWERED = {
    "direction": Message.Direction.OUTBOUND,
    "sender_type": Message.SenderType.AGENT,
    "metadata__has_key": "response_ms",
}


def record_message_events(tenant_id, *, since) -> set:
    """The events of the tenant's messages stored since `since` that have none yet. Returns the ids of the
    conversations those messages are in, new events or not: the job recomputes them (it does not read back the
    events it writes itself, which would find them changed again on its next run)."""
    talked = set()
    for which, kind in ((RECEIVED, EventType.MESSAGE_RECEIVED), (ANSWERED, EventType.AGENT_RESPONDED)):
        messages = (
            Message.objects.filter(tenant_id=tenant_id, created_at__gte=since, **which)
            .order_by("created_at", "pk")
            .values(*FIELDS, at=F("created_at"))
        )
        batch = []
        for message in messages.iterator(chunk_size=BATCH):
            batch.append(message)
            talked.add(message["conversation_id"])
            if len(batch) == BATCH:
                _record(kind, batch)
                batch = []
        _record(kind, batch)
    return talked


def _record(kind: str, messages: list[dict]) -> None:
    known = set(
        PlatformEvent.objects.filter(event_type=kind, subject_id__in=[m["pk"] for m in messages]).values_list(
            "subject_id", flat=True
        )
    )
    events = [_event(kind, m) for m in messages if m["pk"] not in known]
    if events:
        record_many(events)


def _event(kind: str, message: dict):
    ids = {"tenant": message["tenant_id"], "conversation_id": message["conversation_id"], "subject_id": message["pk"]}
    at = message["at"].isoformat()
    if kind == EventType.MESSAGE_RECEIVED:
        row = event(kind, **ids, channel=message["channel"], at=at)
    else:
        metadata, actions = message["metadata"], message["metadata"].get("actions", [])
        row = event(
            kind,
            **ids,
            agent_type=metadata.get("agent_type"),
            response_ms=metadata["response_ms"],
            proposed=sum(a.get("status") != REFUSED for a in actions),
            refused=sum(a.get("status") == REFUSED for a in actions),
            at=at,
        )
    row.user_id = message["conversation__user_id"]
    return row
