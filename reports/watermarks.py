"""Per-tenant watermarks of the periodic analytics jobs, locked so two runs never overlap."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.db import transaction

from analytics.models import Watermark

LAG = timedelta(minutes=5)  # re-read events committed late by transactions that began before the last run
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@contextmanager
def job_lock(tenant_id, job: str, *, wait: bool = False):
    """The tenant's watermark row for `job`, locked for this run.

    None when another run holds it, unless `wait` (a backfill waits for the scheduled run to end).
    """
    Watermark.objects.get_or_create(tenant_id=tenant_id, job=job, defaults={"reached": EPOCH})  # committed first
    with transaction.atomic():
        yield (
            Watermark.objects.select_for_update(skip_locked=not wait, no_key=True)
            .filter(tenant_id=tenant_id, job=job)
            .first()
        )
