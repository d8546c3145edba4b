"""Finding conversations in the console by person or by what was said, without revealing masked data.

An email address or phone number matches only exactly (the way a masked value can be looked up
without being shown); a name matches in part; other words go to PostgreSQL's full-text search of the
messages (elsewhere, every word as a substring of one message); a conversation id matches by its start.
"""

import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from conversations.models import Conversation, Message
from core.estimated_count import planned_rows
from tenants.models import User, UserPhoneNumber
from tenants.phones import normalize_phone

HEX_PREFIX = re.compile(r"^[0-9a-f-]{8,36}$", re.IGNORECASE)
# Messages a search's words may match, by the planner's estimate, for `for_list` to hash their conversations: a
# hashed uuid takes about 40 bytes, so 100,000 fit twice over in the 8 MB PostgreSQL gives a hash by default
# (work_mem 4 MB, hash_mem_multiplier 2).
WORDS_HASHED = 100_000
FEW_BY_ID = 1_000  # conversations a term naming nobody may find by its words and be listed by their ids


def _phone(term: str) -> str | None:
    if sum(ch.isdigit() for ch in term) < 7:
        return None
    try:
        return normalize_phone(term)
    except ValidationError:
        return None


def _words(messages, term: str):
    """`messages` that say `term`: PostgreSQL's full-text search (its index: message_words,
    conversations/migrations/0012); elsewhere every word as a substring of one message."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return messages.annotate(found=SearchVector("sealed_text", config="english")).filter(
            found=SearchQuery(term, config="english", search_type="websearch")
        )
    for word in term.split():
        messages = messages.filter(sealed_text__icontains=word)
    return messages


def _said(term: str, tenant_id):
    """The conversations with a message matching `term`, as one read of the messages (their full-text index),
    rather than a test per conversation listed."""
    messages = Message.objects.order_by()
    if tenant_id is not None:
        messages = messages.filter(tenant_id=tenant_id)
    return _words(messages, term).values("conversation_id")


def _one_persons(term: str) -> Q | None:
    """The conversations of the person an email address or a phone number names, matched whole; None for a term that
    is neither."""
    if "@" in term and " " not in term:
        return Q(user__email__iexact=term)
    if phone := _phone(term):
        return Q(user__in=UserPhoneNumber.objects.filter(phone_number=phone).values("user_id"))
    return None


def _people(term: str, tenant_id):
    people = User.objects.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term))
    if tenant_id is not None:
        people = people.filter(tenant_id=tenant_id)
    return people.values("pk")


def matching(term: str, tenant_id=None) -> Q:
    """Conversations whose person or messages match `term`. The people and the messages are each read once, and
    the conversations found by either taken by id (a union), so neither is tested against every conversation.

    With `tenant_id` (whoever reads one tenant's conversations), only that tenant's people and messages are read:
    otherwise a common name fetches every tenant's conversations of it, for the list's filter to drop.
    For a few conversations (a member's own) and for counting; a long list is read with `for_list`'s form."""
    if (one := _one_persons(term)) is not None:
        return one
    theirs = Conversation.objects.filter(user__in=_people(term, tenant_id)).order_by().values("pk")
    return _or_short_id(Q(pk__in=theirs.union(_said(term, tenant_id))), term)


def for_list(term: str, tenant_id=None) -> tuple[Q, Q]:
    """What `matching` finds, for a long list read in order (the console's inbox, newest first): the condition to
    read the list with, and the one to count it with.

    Read in order, each conversation read is tested against the people and the messages found, and the read stops
    at the page's end; the union fetched every conversation found to sort them: at a big tenant, for a name 20
    people share, 40,000 conversations for a page of 50 (bench/RESULTS.md, "searched by a name"). The people are
    few: found once and hashed. The messages' matches are found once and hashed when the planner expects up to
    WORDS_HASHED of them; above, a word most conversations hold, each conversation read looks among its own messages
    (Exists): the matches are then dense and the read short. (A set too big to hash under an OR is searched again
    for each conversation read.) Such a list is counted by the union: the planner expects 750,000 rows of this form
    for those 40,000, and 50,000 of the union.

    A term that names nobody, in words the planner expects in few messages, is taken by the ids of the conversations
    holding them, up to FEW_BY_ID (a rare word, or a word no message holds): read in order, the list would be read to
    its end for them, and the planner's guess of their number (50,000 for a word in no message) would be shown."""
    if (one := _one_persons(term)) is not None:
        return one, one  # few
    people, said = _people(term, tenant_id), _said(term, tenant_id)
    if connection.vendor == "postgresql" and planned_rows(said) > WORDS_HASHED:
        listed = Q(user__in=people) | Q(Exists(said.filter(conversation_id=OuterRef("pk"))))
        return _or_short_id(listed, term), matching(term, tenant_id)
    if not people.exists():
        ids = {row["conversation_id"] for row in said.distinct()}  # no LIMIT: with one, the planner walks for them
        if len(ids) <= FEW_BY_ID:
            found = _or_short_id(Q(pk__in=sorted(ids)), term)
            return found, found
    return _or_short_id(Q(user__in=people) | Q(pk__in=said), term), matching(term, tenant_id)


def _or_short_id(found: Q, term: str) -> Q:
    if HEX_PREFIX.match(term):  # the short id the list shows, or a whole one
        found |= Q(pk__startswith=term.lower())
    return found
