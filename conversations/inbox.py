"""The conversations inbox in the console: its boxes (waiting for a person, mine, unassigned, all, and by channel)
with their counts, and what each row shows beside the conversation: the latest message (masked), the holder's unread
messages and since when a customer has waited for a reply from a person (since they asked for one, or since the
person who holds their conversation took it over).

Every number is computed in the list's one query (subqueries per row), so a page of rows costs the same as one.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations import inbox_totals
from conversations.access import conversations_for, may_handle
from conversations.models import OPEN_STATUSES, Channel, ConversationRead, Message

BOX_PARAM = "box"
WAITING, MINE, UNASSIGNED = "waiting", "mine", "unassigned"
BOXES = [(WAITING, _("Waiting for a person")), (MINE, _("Mine")), (UNASSIGNED, _("Unassigned"))]  # none: all
PAGING = ("p", "o")  # the admin list's page and order: the same rows counted


def in_box(queryset, box: str | None, user):
    """Waiting: the customer asked for a person and nobody holds it yet (conversations.person_asked); mine: held by
    `user`; unassigned: open and held by nobody (the agents answer it)."""
    if box == WAITING:
        return queryset.waiting_for_person()
    if box == MINE:
        return queryset.filter(held_by=user)
    if box == UNASSIGNED:
        return queryset.open().filter(held_by__isnull=True)
    return queryset


def counts(user) -> dict[str, int]:
    """Each box's and each channel's count of the conversations `user` may see: the boxes exact, all and the
    channels from conversations.inbox_totals, which says how they stay right."""
    return {**boxes(user), **inbox_totals.totals(user)}


def boxes(user) -> dict[str, int]:
    """Each box's count, exact: the open conversations' boxes from the index of the open ones
    (conversation_open_boxes; the table is read only for rows changed since its last vacuum, where a million
    conversations' open ones lie all over it), and the viewer's own by its holder's index."""
    visible = conversations_for(user).order_by()
    unheld = Q(held_by__isnull=True)
    asked = unheld & Q(person_requested_at__isnull=False)
    open_boxes = visible.filter(status__in=OPEN_STATUSES).aggregate(  # rows counted by a column the index has
        **{WAITING: Count("tenant", filter=asked), UNASSIGNED: Count("tenant", filter=unheld)}
    )
    return {**open_boxes, **visible.filter(held_by=user).aggregate(**{MINE: Count("pk")})}


def tabs(request, numbers: dict[str, int]) -> list[dict]:
    """The tabs above the list, each with its count (`numbers`: counts') and whether it is the one shown. Mine is
    offered to those who may hold conversations; a channel once the tenant has conversations on it."""
    base = reverse("admin:conversations_conversation_changelist")
    box, channel = request.GET.get(BOX_PARAM), request.GET.get("channel__exact")
    boxes = [(key, title) for key, title in BOXES if key != MINE or may_handle(request.user)]
    items = [_tab(key, title, numbers[key], f"{base}?{BOX_PARAM}={key}", box == key) for key, title in boxes]
    items.append(_tab("all", _("All"), numbers["all"], base, box is None and channel is None))
    for value, label in Channel.choices:
        if numbers[value]:
            link = f"{base}?channel__exact={value}"
            items.append(_tab(value, label, numbers[value], link, box is None and channel == value))
    return items


def tab_count(query, numbers: dict[str, int] | None) -> int | None:
    """The count of the list at `query` (the list's GET) when it is a tab's, as `numbers` (counts') has it: a box, a
    channel or all, with nothing else asked but the page and the order; else None."""
    if numbers is None:
        return None
    asked = {key: query.get(key) for key in query if key not in PAGING}
    if not asked:
        return numbers["all"]
    if len(asked) == 1:
        ((key, value),) = asked.items()
        if (key == BOX_PARAM and value in dict(BOXES)) or (key == "channel__exact" and value in Channel.values):
            return numbers.get(value)
    return None


def _tab(key, title, count, link, active) -> dict:
    return {"key": key, "title": title, "count": count, "link": link, "active": active}


def with_inbox_columns(queryset):
    """The rows with `message_total`, `preview_masked_source` (the latest message's stored text, placeholders
    for its personal data), `unread` (the customer's messages since the holder last read it; None when nobody
    holds it) and `waiting_since`: since the customer asked for a person (held or not), else since the takeover,
    until a person's first reply (the customer waits on a person), then from the customer's first message the holder
    has not answered yet."""
    messages = Message.objects.filter(conversation=OuterRef("pk")).order_by()
    inbound = messages.filter(direction=Message.Direction.INBOUND)
    holder_read = ConversationRead.objects.filter(conversation=OuterRef("pk"), user=OuterRef("held_by"))
    last_human = messages.filter(direction=Message.Direction.OUTBOUND, sender_type=Message.SenderType.HUMAN)
    return queryset.annotate(
        message_total=message_total(),
        preview_masked_source=Subquery(messages.order_by("-created_at").values("sealed_text")[:1]),
        holder_read_at=Greatest(Coalesce(Subquery(holder_read.values("last_read_at")[:1]), "held_since"), "held_since"),
        unread=_count(inbound.filter(created_at__gt=OuterRef("holder_read_at"))),
        replied_at=Subquery(
            last_human.filter(created_at__gte=OuterRef("held_since")).order_by("-created_at").values("created_at")[:1]
        ),
        waiting_since=Case(
            When(person_requested_at__isnull=False, then="person_requested_at"),  # a person's reply ends the ask
            When(replied_at__isnull=True, then="held_since"),
            default=Subquery(
                inbound.filter(created_at__gt=OuterRef("replied_at")).order_by("created_at").values("created_at")[:1]
            ),
        ),
    )


def message_total():
    """A conversation's messages counted for the rows shown only: a subquery per row, where a join grouped by
    conversation would read every message of every conversation listed before the page and its count were cut."""
    return Coalesce(_count(Message.objects.filter(conversation=OuterRef("pk")).order_by()), Value(0))


def _count(messages):
    return Subquery(messages.values("conversation").annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def reply_due(waiting_since):
    """When a person's reply to a customer waiting since then is due (the inbox's SLA)."""
    return waiting_since + timedelta(minutes=settings.INBOX_REPLY_SLA_MINUTES) if waiting_since else None


def mark_read(conversation, user) -> None:
    """`user` has read `conversation` up to now: one row per person, moved on (an upsert, so two tabs opening
    the page at once leave one marker)."""
    ConversationRead.objects.bulk_create(
        [ConversationRead(conversation=conversation, user=user, last_read_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["conversation", "user"],
        update_fields=["last_read_at"],
    )
