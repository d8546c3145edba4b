from celery import shared_task
from django.core.management import call_command

from tenants.identity import api_tokens
from tenants.privacy import retention


@shared_task(expires=3600)
def clear_expired_sessions():
    call_command("clearsessions")


@shared_task(expires=3600)
def purge_access_logs() -> int:
    """Remove access records past each tenant's access-log retention period."""
    return retention.purge_access_logs()


@shared_task(expires=3600)
def flush_expired_tokens() -> int:
    """Delete the API's expired refresh tokens (simplejwt's `flushexpiredtokens`, safe to run twice at once)."""
    return api_tokens.flush_expired()
