"""A message that continues its sender's conversation, stored in one PostgreSQL statement.

Most messages continue the open, fresh conversation their sender has on the channel.
For them the steps of intake's transaction (lock the conversation, number the event,
store the message, its event and its platform event, move the conversation's counters)
are one data-modifying CTE: the UPDATE of the conversation row takes the same row lock as
intake's `FOR NO KEY UPDATE` and numbers the event, and the inserts read the number from
it. One round trip instead of seven, and no ORM statement to build: about 3 ms of the
web process's CPU a message (bench/RESULTS.md).

Whatever else comes (no conversation, one gone idle or closed meanwhile, a named
conversation, a new one asked for) finds no row here and takes intake's ORM path, which
opens, closes and refuses; so does SQLite, which has no data-modifying CTEs. The rows are
built by the same functions on both paths (inbound_rows), and tests compare what the two
store.
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

# The conversation row, moved on and locked: RETURNING gives its new counters to the inserts below.
_CONTINUE = """
WITH conversation AS (
    UPDATE conversations_conversation
    SET event_seq = event_seq + 1, last_inbound_seq = event_seq + 1, last_message_at = GREATEST(last_message_at, %s)
    WHERE id = (
        SELECT id FROM conversations_conversation
        WHERE user_id = %s AND channel = %s AND status <> %s
        ORDER BY last_message_at DESC LIMIT 1
    ) AND status <> %s AND last_message_at >= %s
    RETURNING {returned}
), message AS ({message}), event AS ({event}), platform_event AS ({platform_event})
SELECT {returned} FROM conversation
"""


def applies(inbound: InboundMessage) -> bool:
    return connection.vendor == "postgresql" and not inbound.conversation_id and not inbound.new_conversation


def store(inbound: InboundMessage, user):
    """(conversation, message, its event's frame), stored and announced after commit; None when there is no fresh
    open conversation to continue (nothing is stored then)."""
    now = timezone.now()
    message = inbound_message(inbound, channel=inbound.channel)
    event = received_event(message, inbound)
    record = received_record(message, user, inbound.channel)
    sql, params = _statement(message, event, record)
    closed = Conversation.Status.CLOSED
    idle_since = now - timedelta(hours=settings.CONVERSATION_IDLE_HOURS)
    # Inside a caller's transaction, a duplicate (IntegrityError) must not break it: a savepoint.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, [now, user.pk, inbound.channel, closed, closed, idle_since, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    conversation = loaded(Conversation, connection, row)
    stored = {"conversation_id": conversation.pk}
    mark_saved(message, connection, tenant_id=conversation.tenant_id, seq=conversation.event_seq,
               created_at=conversation.last_message_at, **stored)  # fmt: skip
    mark_saved(record, connection, **stored)
    frame = events.broadcast_after_commit(mark_saved(event, connection, seq=conversation.event_seq, **stored))
    return conversation, message, frame


def _statement(message, event, record) -> tuple[str, list]:
    taken = {"conversation_id": "id"}
    message_sql, message_params = insert_select(
        message,
        connection,
        source="conversation",
        taken={**taken, "tenant_id": "tenant_id", "seq": "event_seq", "created_at": "last_message_at"},
    )
    event_sql, event_params = insert_select(
        event, connection, source="conversation", taken={**taken, "seq": "event_seq"}
    )
    record_sql, record_params = insert_select(record, connection, source="conversation", taken=taken)
    sql = _continue(returned_columns(Conversation, connection), message_sql, event_sql, record_sql)
    return sql, [*message_params, *event_params, *record_params]


@functools.lru_cache(maxsize=4)
def _continue(returned: str, message: str, event: str, platform_event: str) -> str:
    return _CONTINUE.format(returned=returned, message=message, event=event, platform_event=platform_event)
