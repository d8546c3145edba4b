"""Finding conversations in the console by person or by what was said, without revealing masked data.

An email address or phone number matches only exactly (the way a masked value can be looked up
without being shown); a name matches in part; other words go to PostgreSQL's full-text search of the
messages (elsewhere, every word as a substring of one message); a conversation id matches by its start.
"""

import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from conversations.models import Message
from tenants.models import UserPhoneNumber
from tenants.phones import normalize_phone

HEX_PREFIX = re.compile(r"^[0-9a-f-]{8,36}$", re.IGNORECASE)


def _phone(term: str) -> str | None:
    if sum(ch.isdigit() for ch in term) < 7:
        return None
    try:
        return normalize_phone(term)
    except ValidationError:
        return None


def _said(term: str):
    messages = Message.objects.filter(conversation=OuterRef("pk"))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        words = messages.annotate(found=SearchVector("sealed_text", config="english")).filter(
            found=SearchQuery(term, config="english", search_type="websearch")
        )
    else:  # every word somewhere in one message
        words = messages
        for word in term.split():
            words = words.filter(sealed_text__icontains=word)
    return Exists(words)


def matching(term: str) -> Q:
    """Conversations whose person or messages match `term`."""
    if "@" in term and " " not in term:
        return Q(user__email__iexact=term)
    if phone := _phone(term):
        owners = UserPhoneNumber.objects.filter(phone_number=phone).values("user_id")
        return Q(user__in=owners)
    found = Q(user__first_name__icontains=term) | Q(user__last_name__icontains=term) | Q(_said(term))
    if HEX_PREFIX.match(term):  # the short id the list shows, or a whole one
        found |= Q(pk__startswith=term.lower())
    return found
