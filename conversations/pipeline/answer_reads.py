"""What the worker reads to answer a conversation, written out: its row with its tenant, person and agent, and
its latest messages.

Two reads per answer, each built by the ORM anew (about 2.4 and 1.8 ms of the worker's CPU on the
benchmark machine, more than running them); written out and read back through the fields'
converters (config.rows) they cost a fraction of that and give the same instances.
"""

from django.db import transaction

from agents.models import AIAgent
from config.rows import loaded, returned_columns, split
from conversations.models import Conversation, Message
from tenants.models import Tenant, User


def conversation_with_people(conversation_id) -> Conversation | None:
    """The conversation with its tenant, person and agent (as select_related gives them), or None."""
    db = transaction.get_connection()
    sql = (
        f"SELECT {returned_columns(Conversation, db, table='c')}, {returned_columns(Tenant, db, table='t')}, "
        f"{returned_columns(User, db, table='u')}, {returned_columns(AIAgent, db, table='a')} "
        "FROM conversations_conversation c JOIN tenants_tenant t ON t.id = c.tenant_id "
        "JOIN tenants_user u ON u.id = c.user_id LEFT JOIN agents_aiagent a ON a.id = c.agent_id WHERE c.id = %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [Conversation._meta.pk.get_db_prep_value(conversation_id, db)])
        row = cursor.fetchone()
    if row is None:
        return None
    rows = split(row, Conversation, Tenant, User, AIAgent)
    conversation = loaded(Conversation, db, rows[0])
    conversation.tenant = loaded(Tenant, db, rows[1])
    conversation.user = loaded(User, db, rows[2])
    conversation.agent = loaded(AIAgent, db, rows[3]) if conversation.agent_id is not None else None
    return conversation


def latest_messages(conversation: Conversation, count: int) -> list[Message]:
    """Its latest `count` messages, newest first, each with `conversation` set."""
    db = transaction.get_connection()
    sql = (
        f"SELECT {returned_columns(Message, db)} FROM conversations_message "
        "WHERE conversation_id = %s ORDER BY created_at DESC LIMIT %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [Conversation._meta.pk.get_db_prep_value(conversation.pk, db), count])
        rows = cursor.fetchall()
    messages = [loaded(Message, db, row) for row in rows]
    for message in messages:
        message.conversation = conversation
    return messages
