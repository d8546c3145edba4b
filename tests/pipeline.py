"""One message through the whole pipeline in a test: accepted, then answered as a worker would (tasks run eagerly)."""

import uuid
from dataclasses import dataclass

from django.test import TestCase

from conversations.models import Conversation, Message
from conversations.normalized import ActionOutcome, InboundMessage
from conversations.pipeline import accept, answer
from conversations.services import with_current_status


@dataclass
class Exchange:
    conversation: object
    inbound: Message
    reply: Message | None
    actions: list[ActionOutcome]
    duplicate: bool = False


def exchange(inbound: InboundMessage, **kwargs) -> Exchange:
    """Accept the message and run the on-commit work (the answer task, broadcasts) before returning."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        accepted = accept(inbound, **kwargs)
    message = accepted.message
    reply = message.replies.filter(direction=Message.Direction.OUTBOUND).order_by("created_at").first()
    stored = reply.metadata.get("actions", []) if reply else []
    actions = [ActionOutcome(**a) for a in with_current_status(stored)]
    conversation = Conversation.objects.get(pk=message.conversation_id)  # as the worker left it
    return Exchange(conversation, message, reply, actions, duplicate=accepted.duplicate)


class HeldTask(tuple):
    """An answer task that was not published: (conversation id, message id), and `lease`, the id it was to run
    under (the message's intake may have taken the conversation's lease in that name)."""

    def __new__(cls, ids, task_id=None):
        held = super().__new__(cls, ids)
        held.lease = uuid.UUID(task_id) if task_id else None
        return held

    def run(self):
        """Run it as its worker would, under its own id (a redelivery runs under the same)."""
        return answer(*self, lease=self.lease)


def hold_answer_tasks(monkeypatch, note=lambda task: None) -> None:
    """Publish no answer task: each one goes to `note` as a HeldTask instead of the broker."""
    monkeypatch.setattr(
        "conversations.tasks.answer_message.apply_async",
        lambda ids, kwargs=None, task_id=None, **options: note(HeldTask(ids, task_id)),
    )
