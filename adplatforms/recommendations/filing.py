"""At each sync of a Google Ads connection: the recommendations Google offers now, each filed once as a proposal
through `request_approval` (requested by "Google Ads recommendations", under the tenant's Paid Ads agent), and each
waiting one Google no longer offers withdrawn.

Once: the row is inserted on (connection, resource name) in the same transaction as its proposal, so a second sync
reading the same recommendation at once waits on the unique index and then finds it (`get_or_create`), filing
nothing; hitl's one waiting request per target is a second guard."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from adplatforms import refusals
from adplatforms.models import AdConnection, PlatformCampaign
from adplatforms.platform import RemoteRecommendation
from adplatforms.recommendations import proposing
from adplatforms.recommendations.models import PlatformRecommendation, Status
from agents.models import AgentType, AIAgent
from core.sentence import Sentence
from hitl.models import Automation
from hitl.services.closing import withdraw
from hitl.services.conflicts import AlreadyWaiting
from hitl.services.requests import request_approval


@dataclass
class Read:
    filed: int = 0  # new recommendations proposed
    not_filed: int = 0  # new ones a check refused
    gone: int = 0  # waiting ones Google no longer offers


def requester(connection: AdConnection) -> str:
    """The named requester of the proposals (the approval's `requested_by_rule`, of the kind
    `Automation.RECOMMENDATION`, so approvers read "Google Ads recommendations", not a rule of that name)."""
    return _("%(platform)s recommendations") % {"platform": refusals.platform_name(connection)}


def record(connection: AdConnection, listed: list[RemoteRecommendation], now=None) -> Read:
    now = now or timezone.now()
    links = {
        link.external_id: link
        for link in PlatformCampaign.objects.filter(connection=connection).select_related("campaign", "connection")
    }
    result, seen = Read(), set()
    for rec in listed:
        link = links.get(rec.campaign_external_id)
        if link is None or not rec.resource_name:
            continue  # a campaign the sync did not link (removed, or not listed): nothing to propose it on
        seen.add(rec.resource_name)
        row = _file_new(connection, link, rec, now)
        if row is not None:
            if row.status == Status.WAITING:
                result.filed += 1
            else:
                result.not_filed += 1
    PlatformRecommendation.objects.filter(connection=connection, resource_name__in=seen).update(last_seen_at=now)
    result.gone = _withdraw_gone(connection, seen, now)
    return result


def _file_new(connection, link, rec: RemoteRecommendation, now) -> PlatformRecommendation | None:
    """File `rec` if no row holds it yet; the new row, or None when another read (this sync's earlier, or another
    sync's at once) has it."""
    with transaction.atomic():
        row, created = PlatformRecommendation.objects.get_or_create(
            connection=connection,
            resource_name=rec.resource_name,
            defaults={
                "tenant_id": connection.tenant_id,
                "campaign": link.campaign,
                "kind": rec.kind,
                "first_seen_at": now,
                "last_seen_at": now,
            },
        )
        if not created:
            return None
        action = proposing.proposal_for(proposing.data_for(row, rec, link))
        row.summary = action.summary[:300]
        reason = proposing.refusal(connection.tenant, action)
        row.details = action.action_data  # completed by the spec when it may wait
        agent = AIAgent.objects.serving(connection.tenant, AgentType.PAID_ADS) if reason is None else None
        if reason is None and agent is None:
            reason = _("No Paid Ads agent serves this account to file the proposal.")
        if reason is not None:
            row.status, row.outcome, row.ended_at = Status.NOT_FILED, str(reason)[:500], now
        else:
            try:
                row.approval = request_approval(
                    tenant=connection.tenant,
                    agent=agent,
                    action=action,
                    currency=link.campaign.currency,
                    rule=requester(connection),
                    automation=Automation.RECOMMENDATION,
                )
            except AlreadyWaiting as waiting:
                row.approval = waiting.approval
        row.save()
        return row


def _withdraw_gone(connection, seen: set, now) -> int:
    """Waiting recommendations Google no longer lists, whose proposal still waits (or was never filed): withdrawn.
    One approved meanwhile is the executor's to settle (its pre-read finds it gone, or applied by its own attempt)."""
    gone = 0
    waiting = PlatformRecommendation.objects.filter(
        connection=connection, status=Status.WAITING, apply_sent_at__isnull=True
    ).exclude(resource_name__in=seen)
    platform = refusals.platform_name(connection)
    # Told in each reader's language in the approval's history; the recommendation's own outcome in the site's.
    reason = Sentence(gettext_noop("%(platform)s no longer offers this recommendation."), platform=platform)
    for row in waiting.select_related("approval"):
        if row.approval_id is not None and not withdraw(row.approval_id, reason=reason):
            continue  # decided meanwhile: settled by its decision
        ended = PlatformRecommendation.objects.filter(pk=row.pk, status=Status.WAITING).update(
            status=Status.GONE, outcome=str(reason), ended_at=now
        )
        gone += ended
    return gone
