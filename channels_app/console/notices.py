"""Notices for the people who can act on them, on the admin console's live feed: what a channel could not do
(a WhatsApp reply blocked by the 24-hour window with no template to send instead)."""

from django.db import transaction

from core import layer
from hitl.console import console_group


def publish_notice(tenant_id, kind: str, text: str, link: str = "") -> None:
    """After commit, to the tenant's consoles and the superusers'; the consumer shows it to admins only."""
    message = {"type": "console.notice", "kind": kind, "text": text, "link": link, "tenant_id": str(tenant_id)}
    for group in (console_group(tenant_id), console_group("all")):
        transaction.on_commit(lambda group=group: layer.group_send(group, message), robust=True)
