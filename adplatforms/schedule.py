"""Which connections are due for a sync, each claimed by one beat: a conditional update of `next_sync_at` from the
value that was read, so two beats running at once fan out each connection once. The daily reconciliation claims
its connections the same way, on `reconciled_on`."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from adplatforms.models import AdConnection, ConnectionState

CLAIM_LIMIT = 500  # per beat; the rest are still due on the next one


def claim_due(now=None) -> list:
    """The ids of the usable connections whose sync is due, each moved to its next time by this caller alone.
    Disconnected connections and those waiting for re-authorisation are never due; a quota pause is due once
    its time has passed. A connection never scheduled (next_sync_at empty) is due at once."""
    now = now or timezone.now()
    usable = Q(state=ConnectionState.ACTIVE) | Q(state=ConnectionState.PAUSED_FOR_QUOTA, paused_until__lte=now)
    due = Q(next_sync_at__lte=now) | Q(next_sync_at__isnull=True)
    candidates = (
        AdConnection.objects.filter(usable, due)
        .order_by("next_sync_at")
        .values_list("pk", "next_sync_at", "sync_every_minutes")[:CLAIM_LIMIT]
    )
    claimed = []
    for pk, was, every in candidates:
        same = Q(next_sync_at__isnull=True) if was is None else Q(next_sync_at=was)
        if AdConnection.objects.filter(same, pk=pk).update(next_sync_at=now + timedelta(minutes=every)):
            claimed.append(pk)
    return claimed


def claim_reconciliations(now=None) -> list:
    """The ids of the usable connections not yet reconciled today (UTC), each claimed by this caller alone. A
    connection never synced has nothing to reconcile yet and is left for a later day."""
    today = (now or timezone.now()).date()
    usable = Q(state__in=[ConnectionState.ACTIVE, ConnectionState.PAUSED_FOR_QUOTA], synced_through__isnull=False)
    due = Q(reconciled_on__lt=today) | Q(reconciled_on__isnull=True)
    candidates = AdConnection.objects.filter(usable, due).values_list("pk", "reconciled_on")
    claimed = []
    for pk, was in candidates:
        same = Q(reconciled_on__isnull=True) if was is None else Q(reconciled_on=was)
        if AdConnection.objects.filter(same, pk=pk).update(reconciled_on=today):
            claimed.append(pk)
    return claimed
