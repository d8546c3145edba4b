"""The admin console's channel-layer groups. Approval events reach the consoles from the approval history
(hitl.history), read by channels_app.console.follow; takeover steps and channel notices use these groups."""

from core import layer


def console_group(tenant_id) -> str:
    """The channel-layer group every open admin console of a tenant listens to."""
    return f"console.{tenant_id}"


def tell_consoles(tenant_id, message: dict) -> None:
    """After commit, to the tenant's open consoles and the superusers' (every tenant's)."""
    layer.send_on_commit((console_group(tenant_id), console_group("all")), message)
