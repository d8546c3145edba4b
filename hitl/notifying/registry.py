"""The channels above hitl that tell approvers of approvals, registered when their app is ready, as the channels
register their senders with `conversations.delivery` (channels_app.apps): hitl sends a notification row on such a
channel, asks whether the channel tells of an event in its own way, tells it of each history entry, and shows its
lines in an approval's timeline, all without importing it (hitl sits below channels_app).

Email, in-app and WhatsApp notifications are hitl's own senders (`hitl.notifying.senders`); Slack registers here
(`channels_app.slack.notifier`). A channel nobody registered fails its rows with a reason, visible in the admin.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationSender:
    # (row) -> (provider, provider message id); raises core.sending.TransientSendError to be retried, anything
    # else fails the row for good.
    send: Callable
    # (approval, event) -> bool: the channel tells of the event itself (one message per approval, not a row per
    # person); it may queue that work after commit.
    takes_over: Callable | None = None
    # (approval, event): after each history entry of the approval, whatever door or clock wrote it.
    recorded: Callable | None = None
    # (approval) -> [hitl.timeline.Entry]: the channel's own lines among "who was told" on the approval's page.
    timeline: Callable | None = None


_senders: dict[str, NotificationSender] = {}


def register_sender(
    channel: str,
    send: Callable,
    *,
    takes_over: Callable | None = None,
    recorded: Callable | None = None,
    timeline: Callable | None = None,
) -> None:
    _senders[channel] = NotificationSender(send, takes_over, recorded, timeline)


def sender_for(channel: str) -> NotificationSender | None:
    return _senders.get(channel)


def takes_over(channel: str, approval, event) -> bool:
    sender = _senders.get(channel)
    return bool(sender and sender.takes_over and sender.takes_over(approval, event))


def recorded(approval, event) -> None:
    for sender in _senders.values():
        if sender.recorded is not None:
            sender.recorded(approval, event)


def timeline(approval) -> list:
    return [entry for sender in _senders.values() if sender.timeline for entry in sender.timeline(approval)]
