"""Reading client frames (docs/chat-protocol.md). Anything wrong raises ProtocolError with a code for the client."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from agents.models import AgentType
from conversations.refusals import empty, too_long, unknown_agent
from core.errors import WalkerError
from tenants.input_text import UnreadableInput, load_json, text_problem

MAX_FRAME_BYTES = 64 * 1024  # a frame is refused before parsing beyond this
MAX_CLIENT_MSG_ID = 100


class ProtocolError(WalkerError):
    """A frame refused; the error frame echoes the client's id of the message it carried, if any."""

    def __init__(self, code: str, detail: str, client_msg_id: str | None = None):
        super().__init__(code, detail)
        self.client_msg_id = client_msg_id


@dataclass(frozen=True)
class SendMessage:
    message: str
    client_msg_id: str | None
    agent: str | None


@dataclass(frozen=True)
class Typing:
    on: bool


@dataclass(frozen=True)
class NewConversation:
    """The person ends the current conversation; their next message opens a fresh one."""


@dataclass(frozen=True)
class Rate:
    """The person's rating of a conversation they were asked about (`satisfaction_asked`); None: the followed one."""

    score: int
    conversation_id: str | None


def parse(text: str | None) -> SendMessage | Typing | NewConversation | Rate:
    if text is None:
        raise ProtocolError("bad_json", gettext("Send text frames holding JSON objects."))
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise ProtocolError(
            "too_long", gettext("Frames are limited to %(size)s KB.") % {"size": MAX_FRAME_BYTES // 1024}
        )
    try:
        data = load_json(text, check_text=False)  # the fields read below are checked by name
    except UnreadableInput as err:
        raise ProtocolError("bad_json", gettext("That frame cannot be read: %(problem)s") % {"problem": err}) from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", gettext("A frame must be a JSON object with a type."))
    kind = data.get("type")
    if kind == "send_message":
        return _send_message(data)
    if kind == "typing":
        if not isinstance(data.get("on"), bool):
            raise ProtocolError("invalid", gettext("typing needs on: true or false."))
        return Typing(on=data["on"])
    if kind == "new_conversation":
        return NewConversation()
    if kind == "rate":
        return _rate(data)
    raise ProtocolError(
        "unknown_type",
        gettext("Unknown frame type %(kind)s; use send_message, typing, new_conversation or rate.")
        % {"kind": repr(kind)},
    )


def _rate(data: dict) -> Rate:
    """Only the form is checked here: whether the score is in range is the rating's to say (in words)."""
    score, conversation_id = data.get("score"), data.get("conversation_id")
    if isinstance(score, bool) or not isinstance(score, int):
        raise ProtocolError("invalid", gettext("rate needs a score: a whole number from 1 to 5."))
    if conversation_id is not None:
        try:
            conversation_id = str(uuid.UUID(str(conversation_id)))
        except ValueError:
            raise ProtocolError("invalid", gettext("conversation_id must be a conversation's id.")) from None
    return Rate(score=score, conversation_id=conversation_id)


def _send_message(data: dict) -> SendMessage:
    client_msg_id = data.get("client_msg_id")
    if client_msg_id is not None and (
        not isinstance(client_msg_id, str) or not 0 < len(client_msg_id) <= MAX_CLIENT_MSG_ID
    ):
        raise ProtocolError(
            "invalid",
            gettext("client_msg_id must be a string of 1 to %(most)s characters.") % {"most": MAX_CLIENT_MSG_ID},
        )
    if client_msg_id is not None and text_problem(client_msg_id):
        raise ProtocolError("invalid", f"client_msg_id: {text_problem(client_msg_id)}")
    message = data.get("message")
    if not isinstance(message, str):
        raise ProtocolError("invalid", gettext("send_message needs a message string."), client_msg_id)
    if text_problem(message):
        raise ProtocolError("invalid", f"message: {text_problem(message)}", client_msg_id)
    message = message.strip()
    if not message:
        raise ProtocolError("empty", empty(), client_msg_id)
    if len(message) > settings.INBOUND_MAX_CHARS:
        raise ProtocolError("too_long", too_long(message), client_msg_id)
    agent = data.get("agent")
    if agent is not None and agent not in AgentType.values:
        raise ProtocolError("unknown_agent", unknown_agent(agent), client_msg_id)
    return SendMessage(message=message, client_msg_id=client_msg_id, agent=agent)
