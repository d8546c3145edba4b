"""Commands a person may write to Walker on a channel in place of a message ("brief"), filled in by the apps that
carry them out.

An app above channels_app (briefs) registers its command when it is ready, so the channels find it here without
importing that app. A command is carried out for a known person; the channel decides whether the sender had to
prove themselves first (`proof_needed`) and how it answers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class ChannelCommand:
    name: str  # also the kind of a WhatsApp receipt (channels_app.whatsapp.models.WhatsAppReceipt.Kind)
    matches: Callable[[str], bool]
    run: Callable[..., str | None]  # (user) -> what to tell them, or None when the work was queued
    queued_reply: (
        Promise  # the answer when `run` queued the work, on a channel where that work is not itself the answer
    )
    proof_needed: bool = True  # False: safe for an email whose sender is unproven (it goes to the address itself)


_commands: dict[str, ChannelCommand] = {}


def register(command: ChannelCommand) -> None:
    _commands[command.name] = command


def command_for(text: str) -> ChannelCommand | None:
    """The registered command `text` is, if any."""
    return next((command for command in _commands.values() if command.matches(text or "")), None)
