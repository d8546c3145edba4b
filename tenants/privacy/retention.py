"""Retention of the access log: records older than their tenant's `access_log_retention_days` are removed.

The log is append-only (a trigger on PostgreSQL, the model elsewhere); the one way out is the database
function `tenants_accesslog_purge` (tenants/migrations/0001: the trigger lets a DELETE through only as
that function's owner), which never removes a record younger than MIN_ACCESS_LOG_DAYS. SQLite has no
such function, so the same rule runs here below the model's guard.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tenants.models import MIN_ACCESS_LOG_DAYS, AccessLog, Tenant


def purge_access_logs() -> int:
    default_days = settings.ACCESS_LOG_RETENTION_DAYS
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tenants_accesslog_purge(%s)", [default_days])
            return cursor.fetchone()[0]
    now, removed = timezone.now(), 0
    periods = [*Tenant.objects.values_list("pk", "access_log_retention_days"), (None, default_days)]
    for tenant_id, days in periods:
        cutoff = now - timedelta(days=max(days, MIN_ACCESS_LOG_DAYS))
        expired = AccessLog.objects.filter(tenant_id=tenant_id, created_at__lt=cutoff)
        removed += expired._raw_delete(expired.db)  # the queryset's delete() refuses, by design
    return removed
