"""The member's own Walker (`/chat/`): their conversations on every channel, open and closed, searchable, a page at a
time, and the approvals they asked for with where each stands (the latest, or all of them a page at a time).

Only the person's own rows, in their own tenant: a conversation is the member's page to read back, never a
colleague's (conversations.access gives `Need.WRITE` to the owner only; here the owner is the filter itself).
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.text import Truncator

from conversations import satisfaction
from conversations.models import Channel, Conversation, Message
from conversations.search import matching
from hitl.models import HITLApproval

PAGE_SIZE = 20
APPROVALS_SHOWN = 10
REQUESTS_PAGE_SIZE = 20
TITLE_WORDS = 12
PREVIEW_CHARS = 100


@dataclass(frozen=True)
class Row:
    """One line of the member's list: the conversation, what it was about and the last thing said."""

    conversation: Conversation
    title: str
    preview: str


def own_conversations(user, term: str = "") -> QuerySet:
    """The person's conversations on every channel, the latest first; `term` as the console's search reads it. Each
    says whether a rating waits in it (`rating_waits`: asked, not answered, not expired), where the page can take it:
    in a chat conversation (the others are rated on their channel: a WhatsApp reply, the email's link)."""
    rows = Conversation.objects.filter(tenant_id=user.tenant_id, user=user)
    if term:
        rows = rows.filter(matching(term, user.tenant_id))
    messages = Message.objects.filter(conversation=OuterRef("pk"))
    return rows.annotate(
        first_asked=Subquery(
            messages.filter(direction=Message.Direction.INBOUND).order_by("created_at").values("pk")[:1]
        ),
        last_said=Subquery(messages.order_by("-created_at").values("pk")[:1]),
        rating_waits=Exists(satisfaction.waiting().filter(conversation=OuterRef("pk"), channel=Channel.CHAT)),
    ).order_by("-last_message_at")


def page_of(user, term: str, number) -> tuple[Page, list[Row]]:
    """One page of the list, each row with its title (the first question) and the last message, as written: the
    reader is the person the conversation is with."""
    page = Paginator(own_conversations(user, term), PAGE_SIZE).get_page(number)
    said = Message.objects.in_bulk({pk for c in page for pk in (c.first_asked, c.last_said) if pk})
    rows = [
        Row(
            conversation=c,
            title=Truncator(said[c.first_asked].text).words(TITLE_WORDS) if c.first_asked in said else "",
            preview=Truncator(said[c.last_said].text).chars(PREVIEW_CHARS) if c.last_said in said else "",
        )
        for c in page
    ]
    return page, rows


def own_conversation_or_404(user, conversation_id) -> Conversation:
    """The person's own conversation, on any channel; anyone else's, or another tenant's, is not found."""
    try:
        own = Conversation.objects.filter(tenant_id=user.tenant_id, user=user).select_related("tenant")
        return own.get(pk=conversation_id)
    except Conversation.DoesNotExist:
        raise Http404 from None


def _approvals(user) -> QuerySet:
    return (
        HITLApproval.objects.filter(tenant_id=user.tenant_id, requested_by=user)
        .select_related("conversation")
        .order_by("-requested_at", "-pk")
    )


def latest_approvals(user) -> tuple[list[HITLApproval], bool]:
    """The latest requests the person's conversations filed, with their status, and whether there are more."""
    latest = list(_approvals(user)[: APPROVALS_SHOWN + 1])
    return latest[:APPROVALS_SHOWN], len(latest) > APPROVALS_SHOWN


def approvals_page(user, number) -> Page:
    """All of the person's requests, the latest first, a page at a time."""
    return Paginator(_approvals(user), REQUESTS_PAGE_SIZE).get_page(number)
