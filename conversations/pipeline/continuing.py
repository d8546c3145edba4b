"""A message that continues its sender's conversation, stored in one PostgreSQL statement.

Most messages continue a conversation: the open, fresh one their sender has on the
channel, or the open one of theirs they name (the API, an email thread). For them the
steps of intake's transaction (lock the conversation, number the event, store the
message, its event and its platform event, move the conversation's counters) are one
data-modifying CTE: the UPDATE of the conversation row takes the same row lock as
intake's `FOR NO KEY UPDATE` and numbers the event, and the inserts read the number from
it. One round trip instead of seven, and no ORM statement to build: about 3 ms of the
web process's CPU a message (bench/RESULTS.md).

Whatever else comes (no conversation, one gone idle or closed meanwhile, a named one that
is not the sender's or is closed, a new one asked for) finds no row here and takes
intake's ORM path, which opens, closes and refuses; so does SQLite, which has no
data-modifying CTEs. The rows are built by the same functions on both paths
(inbound_rows), and tests compare what the two store.
"""

import contextlib
import functools
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.rows import insert_select, loaded, mark_saved, returned_columns
from conversations import events
from conversations.models import Conversation
from conversations.normalized import InboundMessage
from conversations.pipeline.inbound_rows import inbound_message, received_event, received_record

# The conversation row, moved on and locked: RETURNING gives its new counters to the inserts below. Which row:
# the one named (the API, an email thread), if open and the sender's; else the sender's latest open one on the
# channel, if fresh.
_CONTINUE = """
WITH conversation AS (
    UPDATE conversations_conversation
    SET event_seq = event_seq + 1, last_inbound_seq = event_seq + 1, last_message_at = GREATEST(last_message_at, %s)
    WHERE {which} AND status <> %s
    RETURNING {returned}
), message AS ({message}), event AS ({event}), platform_event AS ({platform_event})
SELECT {returned} FROM conversation
"""
_NAMED = "id = %s AND user_id = %s"
_CURRENT = """id = (
        SELECT id FROM conversations_conversation
        WHERE user_id = %s AND channel = %s AND status <> %s
        ORDER BY last_message_at DESC LIMIT 1
    ) AND last_message_at >= %s"""
# received_record's metadata, for the conversation's own channel (the API writes into chat conversations too).
_RECORD_METADATA = "jsonb_build_object('channel', conversation.channel)"


def applies(inbound: InboundMessage) -> bool:
    return connection.vendor == "postgresql" and not inbound.new_conversation


def store(inbound: InboundMessage, user):
    """(conversation, message, its event's frame), stored and announced after commit; None when there is no
    conversation to continue (nothing is stored then)."""
    db = transaction.get_connection()  # the wrapper itself (config.rows)
    now = timezone.now()
    message = inbound_message(inbound)
    event = received_event(message, inbound)
    record = received_record(message, user, channel=None)
    closed = Conversation.Status.CLOSED
    if inbound.conversation_id:
        which, found_by = _NAMED, [inbound.conversation_id, user.pk]
    else:
        idle_since = now - timedelta(hours=settings.CONVERSATION_IDLE_HOURS)
        which, found_by = _CURRENT, [user.pk, inbound.channel, closed, idle_since]
    sql, params = _statement(db, which, message, event, record)
    # Inside a caller's transaction, a duplicate (IntegrityError) must not break it: a savepoint.
    savepoint = transaction.atomic() if db.in_atomic_block else contextlib.nullcontext()
    with savepoint, db.cursor() as cursor:
        cursor.execute(sql, [now, *found_by, closed, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    conversation = loaded(Conversation, db, row)
    stored = {"conversation_id": conversation.pk}
    mark_saved(message, db, tenant_id=conversation.tenant_id, channel=conversation.channel,
               seq=conversation.event_seq, created_at=conversation.last_message_at, **stored)  # fmt: skip
    mark_saved(record, db, metadata={"channel": conversation.channel}, **stored)
    frame = events.broadcast_after_commit(mark_saved(event, db, seq=conversation.event_seq, **stored))
    return conversation, message, frame


def _statement(db, which: str, message, event, record) -> tuple[str, list]:
    taken = {"conversation_id": "id"}
    message_sql, message_params = insert_select(
        message,
        db,
        source="conversation",
        taken={
            **taken,
            "tenant_id": "tenant_id",
            "channel": "channel",
            "seq": "event_seq",
            "created_at": "last_message_at",
        },
    )
    event_sql, event_params = insert_select(event, db, source="conversation", taken={**taken, "seq": "event_seq"})
    record_sql, record_params = insert_select(
        record, db, source="conversation", taken=taken, computed={"metadata": _RECORD_METADATA}
    )
    sql = _continue(which, returned_columns(Conversation, db), message_sql, event_sql, record_sql)
    return sql, [*message_params, *event_params, *record_params]


@functools.lru_cache(maxsize=8)
def _continue(which: str, returned: str, message: str, event: str, platform_event: str) -> str:
    return _CONTINUE.format(which=which, returned=returned, message=message, event=event, platform_event=platform_event)
