"""What every outbound send shares: the one error that says "try again later". hitl's approval notifications, the
alerts' notices and the channels' providers raise it; their Celery tasks retry it with backoff (`autoretry_for`), and
record anything else as a failure for good."""


class TransientSendError(Exception):
    """Worth retrying (a timeout, a 5xx, a provider's 429)."""
