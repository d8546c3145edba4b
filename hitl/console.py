"""The admin console's channel-layer groups. Approval events reach the consoles from the approval history
(hitl.history), read by channels_app.console.follow; takeover steps and channel notices use these groups."""


def console_group(tenant_id) -> str:
    """The channel-layer group every open admin console of a tenant listens to."""
    return f"console.{tenant_id}"
