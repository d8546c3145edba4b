"""An answer that proposes nothing, stored in one PostgreSQL statement.

Most answers are words only (no action proposed, no engine error). For them the worker's
transaction (lock the conversation and read its state, store the answer, move the
conversation's counters and lease, store its event and its platform event) is one
data-modifying CTE, as for the messages it answers (continuing): the UPDATE takes the
conversation row's lock, checks that the message still waits and that no person holds the
conversation, and numbers the event. No row back means one of those changed: answering's
ORM path then decides, under the lock, what to do.
"""

import functools

from django.db import connection, transaction
from django.utils import timezone

from config.rows import insert_select, mark_saved
from conversations import delivery, events
from conversations.models import Message
from conversations.pipeline.answer_rows import outbound_message, responded_record, response_event

# The lease is kept (and extended) while later messages wait, its attempt at the next begun, else given back; only by
# the worker holding it (answering._lease_changes).
_ANSWER = """
WITH conversation AS (
    UPDATE conversations_conversation
    SET event_seq = event_seq + 1, answered_seq = %s, last_message_at = GREATEST(last_message_at, %s),
        agent_id = COALESCE(%s, agent_id),
        answer_lease = CASE WHEN answer_lease = %s AND last_inbound_seq <= %s THEN NULL ELSE answer_lease END,
        answer_lease_until = CASE WHEN answer_lease = %s AND last_inbound_seq <= %s THEN NULL
                                  WHEN answer_lease = %s THEN %s
                                  ELSE answer_lease_until END,
        answer_attempts = CASE WHEN answer_lease = %s AND last_inbound_seq <= %s THEN 0
                               WHEN answer_lease = %s THEN 1
                               ELSE answer_attempts END
    WHERE id = %s AND answered_seq < %s AND held_by_id IS NULL
    RETURNING id, event_seq, last_inbound_seq, last_message_at
), message AS ({message}), event AS ({event}), platform_event AS ({platform_event})
SELECT event_seq, last_message_at, last_inbound_seq > %s FROM conversation
"""


def applies(reply, error) -> bool:
    return connection.vendor == "postgresql" and error is None and not reply.actions


def store(conversation, message: Message, agent, text: str, token, lease_until, response_ms: int) -> bool | None:
    """Whether more messages wait; None if the answer was not stored (answered meanwhile, or a person holds the
    conversation): answering's ORM path takes it from there."""
    db = transaction.get_connection()  # the wrapper itself (config.rows)
    now = timezone.now()
    outbound = outbound_message(conversation, message, agent, text, [], None, now)
    response = response_event(outbound, message, agent, [])
    record = responded_record(conversation, outbound, agent, [], response_ms)
    seq = message.seq
    given_back = [token, seq]  # by its holder, once no message after this one waits
    moved = [
        seq, now, agent.pk if agent else None, *given_back, *given_back, token, lease_until, *given_back, token,
        conversation.pk, seq,
    ]  # fmt: skip
    sql, params = _statement(db, outbound, response, record)
    with db.cursor() as cursor:
        cursor.execute(sql, [*moved, *params, seq])
        row = cursor.fetchone()
    if row is None:
        return None
    event_seq, answered_at, more = row
    mark_saved(outbound, db, seq=event_seq, created_at=answered_at)
    events.broadcast_after_commit(mark_saved(response, db, seq=event_seq))
    mark_saved(record, db)
    delivery.deliver_after_commit(outbound)  # the answer itself ends the typing indicator (docs/chat-protocol.md)
    return more


def _statement(db, outbound, response, record) -> tuple[str, list]:
    taken = {"seq": "event_seq", "created_at": "last_message_at"}  # never dated before the conversation's latest
    message_sql, message_params = insert_select(outbound, db, source="conversation", taken=taken)
    event_sql, event_params = insert_select(response, db, source="conversation", taken={"seq": "event_seq"})
    record_sql, record_params = insert_select(record, db, source="conversation", taken={})
    return _answer(message_sql, event_sql, record_sql), [*message_params, *event_params, *record_params]


@functools.lru_cache(maxsize=4)
def _answer(message: str, event: str, platform_event: str) -> str:
    return _ANSWER.format(message=message, event=event, platform_event=platform_event)
