"""The checks a proposal to change a synced campaign passes before it may wait for approval, added to the action
specs' own (agents.action_specs.register_check, from AdPlatformsConfig.ready): the connection is usable, the budget
is the campaign's alone, and the change keeps within the tenant's guardrails. Read from Walker's synced copy; the
executor asks the same questions of the live campaign before it writes.

A shared Google budget is refused rather than listed and scored: raising it raises every campaign on it, and those
campaigns are other requests' targets (one waiting request per campaign, hitl.services.conflicts), so an approval
of one would silently change the others.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from adplatforms import refusals
from adplatforms.models import PlatformCampaign
from agents.action_specs.base import money


def link_for(tenant, raw_id) -> PlatformCampaign | None:
    """The platform link of the tenant's campaign `raw_id`, in one query (any id of another tenant's, or of a
    campaign kept in Walker, reads as none)."""
    links = PlatformCampaign.objects.filter(tenant=tenant, campaign__tenant=tenant).select_related(
        "connection", "campaign"
    )
    if not isinstance(raw_id, str):
        return None
    try:
        return links.filter(campaign_id=raw_id).first()
    except ValidationError:  # not a UUID
        return None


def check_budget(tenant, data) -> str | None:
    link = link_for(tenant, data.get("campaign_id"))
    if link is None:
        return None  # kept in Walker: the spec's own check is all
    campaign = link.campaign
    return (
        refusals.connection_refusal(link.connection)
        or refusals.budget_level_refusal(link, level=link.budget_level, shared=link.budget_shared)
        or refusals.guardrail_refusal(
            tenant,
            campaign,
            old=campaign.daily_budget,
            new=money(data.get("daily_budget")),
            currency=campaign.currency,
            now=timezone.now(),
        )
    )


def check_status(tenant, data) -> str | None:
    link = link_for(tenant, data.get("campaign_id"))
    return refusals.connection_refusal(link.connection) if link else None
