"""Notices for the people who can act on them, on the admin console's live feed: what a channel could not do
(a WhatsApp reply blocked by the 24-hour window with no template to send instead)."""

from hitl.console import tell_consoles


def publish_notice(tenant_id, kind: str, text: str, link: str = "") -> None:
    """After commit, to the tenant's consoles and the superusers'; the consumer shows it to admins only."""
    message = {"type": "console.notice", "kind": kind, "text": text, "link": link, "tenant_id": str(tenant_id)}
    tell_consoles(tenant_id, message)
