"""The normalised inbound message every channel hands to the pipeline, and what the pipeline returns."""

from dataclasses import dataclass, field
from uuid import UUID

from agents.models import ToolCallAudit
from core.errors import WalkerError

REFUSED = ToolCallAudit.Decision.REFUSED  # an action the gateway refused: no approval was filed


class IngestError(WalkerError):
    """The message cannot be taken in. `code` is stable for channels and APIs; `detail` is for people."""


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # conversations.models.Channel
    text: str
    channel_message_id: str | None = None  # the provider's id; a retry with the same id is a duplicate
    client_msg_id: str | None = None  # the client's own id (chat, API), echoed in the message_received event
    # Who wrote it: exactly one of these identifies the sender.
    user_id: UUID | None = None  # a signed-in session, a widget token or an API token
    sender_phone: str | None = None
    sender_email: str | None = None
    tenant_id: UUID | None = None  # set when the channel knows the tenant (e.g. the number written to)
    conversation_id: UUID | None = None  # write into this conversation (API); else the open one is found
    new_conversation: bool = False  # start a new conversation rather than continue the open one (a new email thread)
    agent_type: str | None = None  # the channel names an agent; else routing picks one
    content_type: str = "text"
    media_url: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ActionOutcome:
    """A proposed action as the requester sees it: waiting for approval, or refused with a reason."""

    summary: str
    status: str  # an approval status, or REFUSED
    approval_id: str | None = None
    reference: str | None = None
    reason: str | None = None
    already_waiting: bool | None = None  # the same action was already asked for: nothing new was filed
    levels: int | None = None  # the chip's level progress ("1 of 2 approved") while a request of several waits
    approved_levels: int | None = None
    edited_by: str | None = None  # the approver who last changed the request, by name

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}
