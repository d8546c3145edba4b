"""The proposal for one recommendation: the action's data (what Google recommends, its impact estimate, in the
campaign's currency), and the checks it passes before it may wait for approval, as an agent's proposal does."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from adplatforms import money, refusals
from adplatforms.models import AdConnection, PlatformCampaign
from adplatforms.platform import Figures, RemoteRecommendation
from adplatforms.recommendations.models import PlatformRecommendation, Status
from agents import action_specs
from agents.action_specs.base import money as amount_of_data
from agents.action_specs.recommendations import APPLY, Kind
from agents.actions import ProposedAction


def amount(connection: AdConnection, units: int, currency: str) -> Decimal:
    """Platform units as an amount of the campaign's currency (Google micros; yen whole)."""
    if connection.platform == AdConnection.Platform.GOOGLE:
        return money.from_micros(units, currency)
    return money.from_meta_units(units, currency)


def data_for(row: PlatformRecommendation, rec: RemoteRecommendation, link: PlatformCampaign) -> dict:
    campaign, connection = link.campaign, link.connection
    currency = campaign.currency.upper()
    data = {
        "recommendation_id": str(row.pk),
        "campaign_id": str(campaign.pk),
        "campaign_name": campaign.name,
        "ad_platform": refusals.platform_name(connection),
        "recommendation_kind": rec.kind,
        "currency": currency,
    }
    if rec.kind == Kind.CAMPAIGN_BUDGET and rec.budget_units is not None:
        data["daily_budget"] = str(amount(connection, rec.budget_units, currency))
        before = rec.current_budget_units if rec.current_budget_units is not None else link.daily_budget_units
        data["previous_daily_budget"] = str(
            amount(connection, before, currency) if before is not None else campaign.daily_budget
        )
    elif rec.kind == Kind.KEYWORD:
        data.update(keyword=rec.keyword[:200], match_type=rec.match_type)
    elif rec.kind == Kind.TARGET_CPA and rec.target_cpa_units is not None:
        data["target_cpa"] = str(amount(connection, rec.target_cpa_units, currency))
    elif rec.kind == Kind.TARGET_ROAS and rec.target_roas is not None:
        data["target_roas"] = str(rec.target_roas)
    for when, figures in (("base", rec.base), ("potential", rec.potential)):
        data.update(_figures(connection, when, figures, currency))
    return data


def _figures(connection, when: str, figures: Figures | None, currency: str) -> dict:
    if figures is None:
        return {}
    return {
        f"{when}_cost": str(amount(connection, figures.cost_units, currency)),
        f"{when}_clicks": str(figures.clicks),
        f"{when}_conversions": str(figures.conversions),
    }


def proposal_for(data: dict) -> ProposedAction:
    spec = action_specs.spec_for(APPLY)
    return ProposedAction(
        action_type=APPLY,
        action_data=data,
        summary=str(spec.describe(data)),
        estimated_cost=spec.cost(data) or Decimal("0"),
        confidence=1.0,  # the platform's own recommendation, read as it gave it: no reading of anyone's words
    )


def refusal(tenant, action: ProposedAction) -> str | None:
    """Why the proposal may not wait for approval, or None (its data then completed as the spec completes it)."""
    spec = action_specs.spec_for(APPLY)
    reason = action_specs.shape_problem(spec, action.action_data) or action_specs.check(
        spec, tenant, action.action_data
    )
    if reason is None:
        action.action_data = action_specs.completed(spec, tenant, action.action_data)
    return reason


def recommendation_for(tenant, raw_id) -> PlatformRecommendation | None:
    """The tenant's recommendation `raw_id` (another tenant's, or no id, reads as none)."""
    if not isinstance(raw_id, str):
        return None
    rows = PlatformRecommendation.objects.filter(tenant=tenant, connection__tenant=tenant, campaign__tenant=tenant)
    try:
        return rows.select_related("connection", "campaign").filter(pk=raw_id).first()
    except ValidationError:  # not a UUID
        return None


def check(tenant, data) -> str | None:
    """The check adplatforms adds to the spec's own (agents.action_specs.register_check): the recommendation is the
    tenant's, still waits, is for the campaign named, its connection is usable, and a budget one keeps within the
    campaign's own budget and the guardrails (read from Walker's synced copy)."""
    row = recommendation_for(tenant, data.get("recommendation_id"))
    if row is None:
        return _("that recommendation does not exist in your account")
    if str(row.campaign_id) != str(data.get("campaign_id")):
        return _("that recommendation is not for %(campaign)s") % {"campaign": data.get("campaign_name") or "—"}
    if row.status != Status.WAITING:
        return _("that recommendation no longer waits for a decision (%(status)s)") % {
            "status": row.get_status_display().lower()
        }
    reason = refusals.connection_refusal(row.connection)
    if reason or row.kind != Kind.CAMPAIGN_BUDGET:
        return reason
    link = PlatformCampaign.objects.filter(connection=row.connection, campaign=row.campaign).first()
    if link is None:
        return _("%(campaign)s is no longer linked to its ad account") % {"campaign": row.campaign.name}
    return refusals.budget_level_refusal(link, level=link.budget_level, shared=link.budget_shared) or (
        refusals.guardrail_refusal(
            tenant,
            row.campaign,
            old=row.campaign.daily_budget,
            new=amount_of_data(data.get("daily_budget")),
            currency=row.campaign.currency,
            now=timezone.now(),
        )
    )
