"""A customer asks to talk to a person ("talk to a person", "quiero hablar con alguien", read by
agents.understanding.handoff): on every channel, in the intake, under the conversation's row lock.

The conversation is marked (`person_requested_at`) once per ask, so support hears it once however often or however
many at once the customer asks: in the console at once (conversations.console) and by email or on Slack, as the
tenant chose (conversations.support_notices). It waits for a person in the inbox while nobody holds it; the agents
keep answering meanwhile, the ask itself with when a person will answer. A person's reply, or the conversation's
close, ends the ask; a takeover takes it out of the waiting box, and a hand-back without a reply puts it back.
"""

from celery import current_app
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext

from conversations import console, inbox
from conversations.models import Conversation
from conversations.support_hours import next_opening
from core.commit import after_commit

# By name: conversations.tasks imports the pipeline, which imports this module.
TELL_TASK = "conversations.tasks.tell_support"
ASKED = "asks_for_person"  # the inbound message's metadata flag: its answer is `promise`, not the engine's


def note_ask(conversation: Conversation, now) -> bool:
    """The customer asked for a person in `conversation` (its row locked by the caller): marked and support told,
    unless it was marked already or a person holds it. True if this ask began the wait."""
    if conversation.held_by_id is not None:
        return False  # a person is there already: the holder hears the message (console.customer_wrote)
    # Conditional, so of two asks at once only the one that marks it tells support.
    marked = Conversation.objects.filter(pk=conversation.pk, person_requested_at__isnull=True).update(
        person_requested_at=now
    )
    if not marked:
        return False
    conversation.person_requested_at = now
    console.person_asked(conversation)
    # Who hears it, and how, is the task's to read: nothing more under the intake's lock. Robust: a broker that cannot
    # take the notice never keeps the answer's task from being queued after it.
    after_commit(current_app.tasks[TELL_TASK], str(conversation.pk), robust=True)
    return True


def end_ask(conversation_id) -> None:
    """A person answered the customer, or the conversation closed: the ask is over (a new one tells support again)."""
    Conversation.objects.filter(pk=conversation_id, person_requested_at__isnull=False).update(person_requested_at=None)


def reply_due(tenant, asked_at):
    """When a person's reply to an ask is due: the inbox's reply SLA (conversations.inbox.reply_due), counted from the
    ask, or from the team's next opening when it came out of hours."""
    return inbox.reply_due(next_opening(tenant, asked_at) or asked_at)


def promise(tenant, now=None) -> str:
    """What the customer is told, in the active language: a person will answer here, roughly when (within the
    inbox's reply SLA while the team is in, else when it is back, in the tenant's time zone), and that the agents
    still answer questions meanwhile."""
    opening = next_opening(tenant, now)
    if opening is None:
        when = gettext("A person from the team will answer you here, usually within %(minutes)s minutes.") % {
            "minutes": settings.INBOX_REPLY_SLA_MINUTES
        }
    else:
        when = gettext(
            "A person from the team will answer you here. The team is back on %(day)s at %(time)s (%(zone)s)."
        ) % {"day": formats.date_format(opening, "l"), "time": opening.strftime("%H:%M"), "zone": tenant.timezone}
    return f"{when} {gettext('I can still help with questions meanwhile.')}"
