"""A recommendation's status follows its proposal's decision: rejected, it is dismissed on the platform (so Google
stops offering it); executed, applied; failed, could not be applied; expired or cancelled by someone, closed. Run
at each sync before the listing is read, and by the beat every minute (adplatforms.tasks.settle_recommendations).

Dismissed once: the one run that sets `dismiss_claimed_at` (a conditional update) sends it; a claim older than
DISMISS_CLAIM_MINUTES is a dead worker's and is taken over. The platform not answering leaves it for the next run."""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from adplatforms import clients, errors, refusals
from adplatforms.models import AdConnection
from adplatforms.recommendations.models import PlatformRecommendation, Status
from hitl.models import ApprovalStatus

logger = logging.getLogger(__name__)
DISMISS_CLAIM_MINUTES = 10
_FOLLOWS = {
    ApprovalStatus.EXECUTED: Status.APPLIED,
    ApprovalStatus.FAILED: Status.FAILED,
    ApprovalStatus.EXPIRED: Status.CLOSED,
    ApprovalStatus.CANCELLED: Status.CLOSED,
    ApprovalStatus.SUPERSEDED: Status.CLOSED,
}


def decided(**where):
    """Waiting recommendations whose proposal was decided or ended (of one connection: `connection=`)."""
    return PlatformRecommendation.objects.filter(
        **where,
        status=Status.WAITING,
        approval__status__in=[ApprovalStatus.REJECTED, *_FOLLOWS],
    ).select_related("approval", "connection")


def settle(connection: AdConnection, client, now=None) -> int:
    """Settle the decided ones; how many were dismissed on the platform."""
    now, dismissed = now or timezone.now(), 0
    for row in decided(connection=connection):
        status = row.approval.status
        if status == ApprovalStatus.REJECTED:
            dismissed += _dismiss(row, client, now)
        elif status == ApprovalStatus.FAILED:
            _end(row, Status.FAILED, row.approval.execution_error, now)
        elif status == ApprovalStatus.EXECUTED:
            _end(row, Status.APPLIED, (row.approval.execution_result or {}).get("detail", ""), now)
        else:
            _end(row, _FOLLOWS[status], "", now)
    return dismissed


def settle_all() -> int:
    """Every usable connection with a decided recommendation still waiting, settled (the beat's task); how many
    were dismissed. A connection that fails is logged and left for the next run."""
    ids = set(decided().values_list("connection_id", flat=True))
    dismissed = 0
    for connection in AdConnection.objects.filter(pk__in=ids).order_by("pk"):
        if refusals.connection_refusal(connection):
            continue  # disconnected or waiting for re-authorisation: nothing can be sent now
        try:
            dismissed += settle(connection, clients.client_for(connection))
        except Exception:
            logger.exception("recommendations of connection %s not settled", connection.pk)
    return dismissed


def _end(row: PlatformRecommendation, status: str, outcome: str, now) -> bool:
    return bool(
        PlatformRecommendation.objects.filter(pk=row.pk, status=Status.WAITING).update(
            status=status, outcome=str(outcome)[:500], ended_at=now
        )
    )


def _dismiss(row: PlatformRecommendation, client, now) -> int:
    stale = now - timedelta(minutes=DISMISS_CLAIM_MINUTES)
    free = Q(dismiss_claimed_at__isnull=True) | Q(dismiss_claimed_at__lt=stale)
    if not PlatformRecommendation.objects.filter(free, pk=row.pk, status=Status.WAITING).update(dismiss_claimed_at=now):
        return 0  # another run dismisses it
    platform = refusals.platform_name(row.connection)
    try:
        client.dismiss_recommendation(row.resource_name)
    except (errors.NotFound, errors.InvalidRequest) as error:
        _end(row, Status.GONE, _("%(platform)s no longer offered it: %(detail)s")
             % {"platform": platform, "detail": error.detail}, now)  # fmt: skip
        return 0
    except errors.PlatformError as error:  # not now (an outage, a quota): the next run tries again
        PlatformRecommendation.objects.filter(pk=row.pk, dismiss_claimed_at=now).update(dismiss_claimed_at=None)
        logger.info("recommendation %s not dismissed yet: %s", row.pk, error.detail)
        return 0
    _end(row, Status.DISMISSED, _("Rejected in Walker and dismissed on %(platform)s.") % {"platform": platform}, now)
    return 1
