"""Finding conversations in the console by person or by what was said, without revealing masked data.

An email address or phone number matches only exactly (the way a masked value can be looked up
without being shown); a name matches in part; other words go to PostgreSQL's full-text search of the
messages (elsewhere, every word as a substring of one message); a conversation id matches by its start.
"""

import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q

from conversations.models import Conversation, Message
from tenants.models import User, UserPhoneNumber
from tenants.phones import normalize_phone

HEX_PREFIX = re.compile(r"^[0-9a-f-]{8,36}$", re.IGNORECASE)


def _phone(term: str) -> str | None:
    if sum(ch.isdigit() for ch in term) < 7:
        return None
    try:
        return normalize_phone(term)
    except ValidationError:
        return None


def _said(term: str, tenant_id):
    """The conversations with a message matching `term`, as one read of the messages: PostgreSQL's full-text index
    (message_words, conversations/migrations/0012) finds them, rather than a test per conversation listed."""
    messages = Message.objects.order_by()
    if tenant_id is not None:
        messages = messages.filter(tenant_id=tenant_id)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        words = messages.annotate(found=SearchVector("sealed_text", config="english")).filter(
            found=SearchQuery(term, config="english", search_type="websearch")
        )
    else:  # every word somewhere in one message
        words = messages
        for word in term.split():
            words = words.filter(sealed_text__icontains=word)
    return words.values("conversation_id")


def matching(term: str, tenant_id=None) -> Q:
    """Conversations whose person or messages match `term`. The people and the messages are each read once, and
    the conversations found by either taken by id (a union), so neither is tested against every conversation.

    With `tenant_id` (whoever reads one tenant's conversations), only that tenant's people and messages are read:
    otherwise a common name fetches every tenant's conversations of it, for the list's filter to drop.
    (bench/RESULTS.md, "Issue 48 on a slower VM", says why the union stays rather than an OR of the two.)"""
    if "@" in term and " " not in term:
        return Q(user__email__iexact=term)
    if phone := _phone(term):
        owners = UserPhoneNumber.objects.filter(phone_number=phone).values("user_id")
        return Q(user__in=owners)
    people = User.objects.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term))
    if tenant_id is not None:
        people = people.filter(tenant_id=tenant_id)
    theirs = Conversation.objects.filter(user__in=people.values("pk")).order_by().values("pk")
    found = Q(pk__in=theirs.union(_said(term, tenant_id)))
    if HEX_PREFIX.match(term):  # the short id the list shows, or a whole one
        found |= Q(pk__startswith=term.lower())
    return found
