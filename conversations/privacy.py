"""How a message's text is shown to a viewer: every door (admin, API, exports, console) asks here.

Masked unless the viewer may see personal data and asked to reveal it.
"""

from tenants.pii import mask


def message_text(message, *, revealed: bool) -> str:
    return message.text if revealed else mask(message.text)
