"""How a conversation's text is shown to a viewer: every door (admin, API, exports, events) asks here.

Masked unless the viewer is the person the conversation is with, or may see personal data and
asked to reveal it (conversations.access decides which).
"""

from tenants.pii import mask, redact


def message_text(message, *, revealed: bool) -> str:
    """Revealed: as written; masked: its personal data as placeholders ("[phone]"), nothing decrypted."""
    return message.text if revealed else message.masked_text


def frame_for_viewer(frame: dict, *, revealed: bool) -> dict:
    """An event frame as a viewer may see it: its free text (message text, approval summaries) masked."""
    if revealed:
        return frame
    shown = dict(frame)
    if isinstance(shown.get("text"), str):  # a message's text: placeholders, as message_text shows it
        shown["text"] = redact(shown["text"])
    if isinstance(shown.get("summary"), str):
        shown["summary"] = mask(shown["summary"])
    if isinstance(shown.get("actions"), list):
        shown["actions"] = [masked_action(action) for action in shown["actions"]]
    return shown


def masked_action(action: dict) -> dict:
    """A proposed action as shown beside a message: its summary masked."""
    return frame_for_viewer(action, revealed=False) if isinstance(action, dict) else action
