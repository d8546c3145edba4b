from celery import shared_task
from django.core.management import call_command

from tenants import retention


@shared_task(expires=3600)
def clear_expired_sessions():
    call_command("clearsessions")


@shared_task(expires=3600)
def purge_access_logs() -> int:
    """Remove access records past each tenant's access-log retention period."""
    return retention.purge_access_logs()
