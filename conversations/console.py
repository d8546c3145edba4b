"""Live notices of human takeover on the admin console's feed (/ws/console/), for the people who watch
conversations. They name the step, the person of the tenant who took it and the conversation; never a
message's or a note's text.

Every other message in or answer out is a silent `activity` frame: the inbox's rows and counts and an open
conversation page refresh, nobody gets a toast. Those are not sent over the channel layer: the answers are written
by Celery workers, whose layer does not reach daphne on the embedded default (in-memory), so each daphne process
reads them from the conversations' stored events (channels_app.console.activity), as it reads approval events.

A customer asking for a person is a notice to all who watch conversations (`person_asked`, sent by the intake once
per ask). A customer writing on a conversation a person holds is a notice too (`customer_wrote`, sent by the intake):
its holder hears it as a toast wherever they are in the console, and whoever has that conversation's page open
is offered a reload. It says that the customer wrote, never what.

The words are put together by the console consumer in each listener's language (`describe`); the group message
carries the names they need, and `text` in the default language for any other reader.
"""

from enum import StrEnum

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from conversations.delivery import display_name
from hitl.console import tell_consoles


class Step(StrEnum):
    """A step of human takeover, or the customer writing to a held conversation (the frames' `step`)."""

    TAKEN_OVER = "taken_over"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    NOTED = "noted"
    RELEASED = "released"
    RESOLVED = "resolved"
    CUSTOMER_WROTE = "customer_wrote"
    PERSON_ASKED = "person_asked"  # the customer asked to talk to a person (conversations.person_asked)
    ACTIVITY = "activity"  # a message in or an answer out on a conversation nobody holds: the inbox refreshes


STEPS = {
    Step.TAKEN_OVER: _("%(actor)s took over conversation %(ref)s"),
    Step.ASSIGNED: _("%(actor)s assigned conversation %(ref)s"),
    Step.REPLIED: _("%(actor)s replied in conversation %(ref)s"),
    Step.NOTED: _("%(actor)s added a note to conversation %(ref)s"),
    Step.RELEASED: _("%(actor)s handed back to the agents conversation %(ref)s"),
    Step.RESOLVED: _("%(actor)s resolved conversation %(ref)s"),
    Step.CUSTOMER_WROTE: _("The customer wrote in conversation %(ref)s, held by %(holder)s"),
    Step.PERSON_ASKED: _("A customer asked to talk to a person in conversation %(ref)s"),
    Step.ACTIVITY: _("New message in conversation %(ref)s"),
}
CUSTOMER_WROTE_TO_HOLDER = _("The customer wrote in conversation %(ref)s, which you hold")
NAMES = ("actor", "holder", "ref")  # what `describe` may fill in, carried by the group message


def describe(step: str, *, mine: bool = False, **names) -> str:
    """The notice in the active language; `mine`: the listener holds the conversation."""
    words = CUSTOMER_WROTE_TO_HOLDER if step == Step.CUSTOMER_WROTE and mine else STEPS[Step(step)]
    return str(words) % {name: names.get(name) or "" for name in NAMES}


def notify(conversation, step: Step, *, actor) -> None:
    """After commit, to the tenant's consoles and the superusers'; the actor's own consoles mark it as theirs."""
    _send(conversation, step, actor=display_name(actor), actor_id=str(actor.pk))


def customer_wrote(conversation) -> None:
    """The customer wrote on a conversation a person holds (after commit): no text, only that they did."""
    holder = conversation.held_by
    _send(conversation, Step.CUSTOMER_WROTE, holder=display_name(holder), holder_id=str(holder.pk))


def person_asked(conversation) -> None:
    """The customer asked for a person (after commit): everyone who watches the tenant's conversations hears it, with
    a link to take it over; never the customer's words."""
    _send(conversation, Step.PERSON_ASKED)


def activity_message(conversation_id, tenant_id) -> dict:
    """A message came in, or the agents answered, on a conversation nobody holds: the consoles showing the inbox or
    that conversation refresh them, without a toast (the agents are answering)."""
    return _step_message(conversation_id, tenant_id, Step.ACTIVITY)


def _step_message(
    conversation_id, tenant_id, step: str, *, holder_id: str | None = None, actor_id: str | None = None, **names
) -> dict:
    """What a console is told of a step (the consumer's `console_conversation` puts it in its listener's words)."""
    ref = str(conversation_id)[:8]
    return {
        "type": "console.conversation",
        "step": step,
        "conversation_id": str(conversation_id),
        "ref": ref,
        **names,
        "holder_id": holder_id,
        "actor_id": actor_id,
        "text": describe(step, ref=ref, **names),
        "link": reverse("admin:conversations_conversation_change", args=[conversation_id]),
        "tenant_id": str(tenant_id),
    }


def _send(conversation, step: str, **details) -> None:
    message = _step_message(conversation.pk, conversation.tenant_id, step, **details)
    tell_consoles(conversation.tenant_id, message)
