"""The fake Google Ads' recommendations: what `FROM recommendation` lists (the fields Walker reads, shaped as Google's
REST answers them), and `recommendations:apply` and `recommendations:dismiss` (all or nothing, as with
`partialFailure` false). An applied or dismissed recommendation is no longer listed, as Google stops offering it."""

from dataclasses import dataclass, field

from adplatforms.simulator import google_keywords_bids as keywords_bids

# Google's RecommendationType values the fake offers.
TYPES = ("CAMPAIGN_BUDGET", "KEYWORD", "TARGET_CPA_OPT_IN", "TARGET_ROAS_OPT_IN")


@dataclass
class Recommendation:
    id: str
    type: str  # one of TYPES
    campaign_id: str
    budget_micros: int | None = None  # CAMPAIGN_BUDGET: the recommended amount
    keyword: str = ""  # KEYWORD
    match_type: str = "BROAD"
    ad_group_id: str = ""
    target_cpa_micros: int | None = None  # TARGET_CPA_OPT_IN
    target_roas: float | None = None  # TARGET_ROAS_OPT_IN
    base: dict = field(default_factory=dict)  # RecommendationMetrics, snake_case: impressions, clicks, cost_micros…
    potential: dict = field(default_factory=dict)
    dismissed: bool = False
    applied: bool = False
    refusal: str = ""  # a RecommendationError code `apply` answers with (scripted), e.g. "CANNOT_APPLY"

    @property
    def offered(self) -> bool:
        return not (self.dismissed or self.applied)


def name(customer, rec: Recommendation) -> str:
    return f"customers/{customer.id}/recommendations/{rec.id}"


def _metrics(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        out["costMicros" if key == "cost_micros" else key] = str(value) if key == "cost_micros" else value
    return out


def _budget(cu, r: Recommendation):
    if r.type != "CAMPAIGN_BUDGET":
        return None
    campaign = cu.campaigns[r.campaign_id]
    return {
        "currentBudgetAmountMicros": str(cu.budgets[campaign.budget_id].amount_micros),
        "recommendedBudgetAmountMicros": str(r.budget_micros),
    }


def _impact(r: Recommendation):
    return {"baseMetrics": _metrics(r.base), "potentialMetrics": _metrics(r.potential)} if r.base else None


# FROM recommendation a row's context is (the customer, the Recommendation, None, None).
FIELDS = {
    "recommendation.resource_name": ("string", lambda cu, r, b, d: name(cu, r)),
    "recommendation.type": ("enum", lambda cu, r, b, d: r.type),
    "recommendation.campaign": ("string", lambda cu, r, b, d: cu.campaign_name(r.campaign_id)),
    "recommendation.ad_group": (
        "string",
        lambda cu, r, b, d: f"customers/{cu.id}/adGroups/{r.ad_group_id}" if r.ad_group_id else "",
    ),
    "recommendation.dismissed": ("bool", lambda cu, r, b, d: r.dismissed),
    "recommendation.impact": ("message", lambda cu, r, b, d: _impact(r)),
    "recommendation.campaign_budget_recommendation": ("message", lambda cu, r, b, d: _budget(cu, r)),
    "recommendation.keyword_recommendation": (
        "message",
        lambda cu, r, b, d: (
            {"keyword": {"text": r.keyword, "matchType": r.match_type}, "recommendedCpcBidMicros": "1000000"}
            if r.type == "KEYWORD"
            else None
        ),
    ),
    "recommendation.target_cpa_opt_in_recommendation": (
        "message",
        lambda cu, r, b, d: (
            {"recommendedTargetCpaMicros": str(r.target_cpa_micros)} if r.type == "TARGET_CPA_OPT_IN" else None
        ),
    ),
    "recommendation.target_roas_opt_in_recommendation": (
        "message",
        lambda cu, r, b, d: {"recommendedTargetRoas": r.target_roas} if r.type == "TARGET_ROAS_OPT_IN" else None,
    ),
}


def contexts(customer) -> list:
    return [(customer, rec, None, None) for rec in customer.recommendations.values() if rec.offered]


def _find(fake, customer, index: int, operation: dict) -> Recommendation:
    resource = str(operation.get("resourceName", ""))
    rec = customer.recommendations.get(resource.rsplit("/", 1)[-1])
    if rec is None or not resource.startswith(f"customers/{customer.id}/") or not rec.offered:
        raise fake._refuse(
            400,
            "INVALID_ARGUMENT",
            {"recommendationError": "RECOMMENDATION_NOT_FOUND"},
            "The recommendation was not found (applied, dismissed or expired).",
            location=[("operations", index), ("resource_name", None)],
        )
    return rec


def apply(fake, customer, body: dict, apply_budget) -> dict:
    """`recommendations:apply`: every operation checked before any is applied (partialFailure false), each as its
    equivalent mutate checks it (a budget's amount through `apply_budget`, with the budget mutate's change history)."""
    operations = body.get("operations") or []
    if not operations:
        raise fake._refuse(400, "INVALID_ARGUMENT", {"requestError": "OPERATION_REQUIRED"}, "No operations.")
    planned = []
    for index, operation in enumerate(operations):
        rec = _find(fake, customer, index, operation)
        if rec.refusal:
            raise fake._refuse(
                400,
                "INVALID_ARGUMENT",
                {"recommendationError": rec.refusal},
                "The recommendation cannot be applied.",
                location=[("operations", index)],
            )
        planned.append((rec, _change(fake, customer, rec, operation, index, apply_budget)))
    for rec, change in planned:
        change()
        rec.applied = True
    return {"results": [{"resourceName": name(customer, rec)} for rec, _ in planned]}


def _change(fake, customer, rec: Recommendation, operation: dict, index: int, apply_budget):
    """What applying `rec` changes, checked as the equivalent mutate checks it (simulator.google_keywords_bids)."""
    campaign = customer.campaigns[rec.campaign_id]
    if rec.type == "CAMPAIGN_BUDGET":
        amount = (operation.get("campaignBudget") or {}).get("newBudgetAmountMicros", rec.budget_micros)
        budget = customer.budgets[campaign.budget_id]
        return apply_budget(fake, customer, budget, {"amountMicros": amount}, ["amount_micros"], index)
    if rec.type == "KEYWORD":
        keyword = operation.get("keyword") or {}
        create = {
            "adGroup": keyword.get("adGroup") or f"customers/{customer.id}/adGroups/{rec.ad_group_id}",
            "keyword": {"text": rec.keyword, "matchType": keyword.get("matchType") or rec.match_type},
        }
        return keywords_bids.keyword_change(fake, customer, create, index)
    if rec.type == "TARGET_CPA_OPT_IN":
        micros = (operation.get("targetCpaOptIn") or {}).get("targetCpaMicros", rec.target_cpa_micros)
        update, mask = {"targetCpa": {"targetCpaMicros": micros}}, ["target_cpa.target_cpa_micros"]
    else:
        roas = (operation.get("targetRoasOptIn") or {}).get("targetRoas", rec.target_roas)
        update, mask = {"targetRoas": {"targetRoas": roas}}, ["target_roas.target_roas"]
    return keywords_bids.bidding_change(fake, customer, campaign, update, mask, index)


def dismiss(fake, customer, body: dict) -> dict:
    operations = body.get("operations") or []
    found = [_find(fake, customer, index, operation) for index, operation in enumerate(operations)]
    for rec in found:
        rec.dismissed = True
    return {"results": [{"resourceName": name(customer, rec)} for rec in found]}
