"""Step 11 of `simulate_ad_platform`: Google Ads recommends a higher budget for a campaign; Walker reads it as each
sync does (not a whole sync: the walk-through stays quick) and files it as a proposal with Google's estimate; the
tenant's approver approves it, and it is applied on the fake Google and read back. On Meta the step says that
Meta's recommendations are not read."""

import uuid
from decimal import Decimal

from django.utils.translation import gettext as _

from adplatforms import clients, money
from adplatforms.models import AdConnection, PlatformCampaign, PlatformRecommendation
from adplatforms.recommendations import filing
from adplatforms.recommendations.models import Status
from agents.models import Campaign
from core.money import money_exact
from hitl.models import HITLApproval
from hitl.services.decisions import approve

RECOMMENDED = Decimal("1.20")  # Google's recommendation: 20% more, within the default guardrails (50% an action)


def recommend_and_apply(fake, connection: AdConnection, approver, say, error) -> None:
    """`error(detail)`: the walk-through's exception for a step that cannot go on."""
    if connection.platform != AdConnection.Platform.GOOGLE:
        say(_("11. Meta's recommendations are not read by Walker: none is proposed from Meta."))
        return
    link = (
        PlatformCampaign.objects.filter(connection=connection, budget_shared=False)
        .exclude(daily_budget_units=None)
        .select_related("campaign")
        .order_by("-campaign__name")
        .first()
    )
    if link is None:
        say(_("11. No campaign on a budget of its own: Google Ads has nothing to recommend."))
        return
    campaign = Campaign.objects.get(pk=link.campaign_id)
    amount = money.rounded(campaign.daily_budget * RECOMMENDED, campaign.currency)
    week = money.to_micros(campaign.daily_budget * 7, campaign.currency)
    rec_id = str(uuid.uuid4().int % 10**12)  # Google names each recommendation anew
    fake.add_recommendation(
        connection.account_id, rec_id, "CAMPAIGN_BUDGET", link.external_id,
        budget_micros=money.to_micros(amount, campaign.currency),
        base={"clicks": 700, "cost_micros": week, "conversions": 35},
        potential={"clicks": 820, "cost_micros": int(week * RECOMMENDED), "conversions": 41},
    )  # fmt: skip
    filing.record(connection, list(clients.client_for(connection).recommendations()))  # as every sync does
    row = PlatformRecommendation.objects.get(connection=connection, resource_name__endswith=f"/{rec_id}")
    if row.status != Status.WAITING:
        say(_("11. Google Ads recommends %(summary)s Walker kept it without proposing it: %(reason)s")
            % {"summary": row.summary, "reason": row.outcome})  # fmt: skip
        return
    approval = row.approval
    say(_("11. Walker reads Google Ads' recommendations, as every sync does, and files the new one as %(reference)s, "
          "asked by %(requester)s: %(summary)s")
        % {"reference": approval.reference, "requester": approval.requested_by_rule,
           "summary": approval.action_summary})  # fmt: skip
    approve(approval.pk, actor=approver)
    approval = HITLApproval.objects.get(pk=approval.pk)
    row.refresh_from_db()
    if row.status != Status.APPLIED:
        raise error(_("The recommendation was not applied: %(detail)s")
                    % {"detail": approval.execution_error or approval.get_status_display()})  # fmt: skip
    customer = fake.customers[connection.account_id]
    held = money.from_micros(customer.budgets[customer.campaigns[link.external_id].budget_id].amount_micros,
                             campaign.currency)  # fmt: skip
    say(_("    %(approver)s approves it: %(status)s. %(detail)s. Google Ads now holds %(amount)s a day for "
          "%(campaign)s, and no longer offers the recommendation.")
        % {"approver": approver.get_full_name(), "status": approval.get_status_display(),
           "detail": approval.execution_result["detail"], "amount": money_exact(held, campaign.currency),
           "campaign": campaign.name})  # fmt: skip
