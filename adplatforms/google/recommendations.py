"""Google Ads recommendations over REST: the GAQL that lists them (`FROM recommendation`), how a row reads as a
`RemoteRecommendation`, and the bodies of `recommendations:apply` and `recommendations:dismiss`.

Google's `ApplyRecommendationRequest` has no `validateOnly` (only `operations` and `partialFailure`): each
recommendation is checked first through the mutate applying it amounts to, with `validateOnly` and the same values —
a budget through `campaignBudgets:mutate` (the executor does it, as for any budget change), a keyword through
`adGroupCriteria:mutate` creating it, a bidding target through `campaigns:mutate` on `target_cpa` or `target_roas`
(`validation`) — and every apply is sent with `partialFailure` false, all-or-nothing.
"""

from decimal import Decimal

from adplatforms import errors
from adplatforms.google.queries import _quoted
from adplatforms.platform import Figures, RemoteRecommendation
from agents.action_specs.recommendations import Kind

# Google's RecommendationType -> Walker's kind, for the types Walker reads.
KINDS = {
    "CAMPAIGN_BUDGET": Kind.CAMPAIGN_BUDGET,
    "KEYWORD": Kind.KEYWORD,
    "TARGET_CPA_OPT_IN": Kind.TARGET_CPA,
    "TARGET_ROAS_OPT_IN": Kind.TARGET_ROAS,
}
_FIELDS = (
    "recommendation.resource_name, recommendation.type, recommendation.campaign, recommendation.ad_group, "
    "recommendation.dismissed, recommendation.impact, recommendation.campaign_budget_recommendation, "
    "recommendation.keyword_recommendation, recommendation.target_cpa_opt_in_recommendation, "
    "recommendation.target_roas_opt_in_recommendation"
)
_TYPES = ", ".join(f"'{name}'" for name in KINDS)
LISTING = f"SELECT {_FIELDS} FROM recommendation WHERE recommendation.type IN ({_TYPES})"


def one(resource_name: str) -> str:
    return f"SELECT {_FIELDS} FROM recommendation WHERE recommendation.resource_name = '{_quoted(resource_name)}'"


def read(row: dict, currency: str) -> RemoteRecommendation | None:
    """A listed row as Walker reads it; None for a type Walker does not read or one Google says is dismissed."""
    rec = row.get("recommendation") or {}
    kind = KINDS.get(rec.get("type", ""))
    if kind is None or rec.get("dismissed"):
        return None
    impact = rec.get("impact") or {}
    fields = {
        "resource_name": rec.get("resourceName", ""),
        "kind": kind,
        "campaign_external_id": str(rec.get("campaign", "")).rsplit("/", 1)[-1],
        "currency": currency,
        "base": _figures(impact.get("baseMetrics")),
        "potential": _figures(impact.get("potentialMetrics")),
    }
    if kind == Kind.CAMPAIGN_BUDGET:
        budget = rec.get("campaignBudgetRecommendation") or {}
        fields["budget_units"] = _int(budget.get("recommendedBudgetAmountMicros"))
        fields["current_budget_units"] = _int(budget.get("currentBudgetAmountMicros"))
    elif kind == Kind.KEYWORD:
        keyword = (rec.get("keywordRecommendation") or {}).get("keyword") or {}
        fields.update(keyword=keyword.get("text", ""), match_type=keyword.get("matchType", ""))
        fields["ad_group"] = rec.get("adGroup", "")
    elif kind == Kind.TARGET_CPA:
        fields["target_cpa_units"] = _int((rec.get("targetCpaOptInRecommendation") or {}).get(
            "recommendedTargetCpaMicros"
        ))  # fmt: skip
    else:
        roas = (rec.get("targetRoasOptInRecommendation") or {}).get("recommendedTargetRoas")
        fields["target_roas"] = Decimal(str(roas)) if roas is not None else None
    return RemoteRecommendation(**fields)


def apply_operation(rec: RemoteRecommendation) -> dict:
    """One ApplyRecommendationOperation with the values the approver saw, never Google's defaults of the moment."""
    operation: dict = {"resourceName": rec.resource_name}
    if rec.kind == Kind.CAMPAIGN_BUDGET:
        operation["campaignBudget"] = {"newBudgetAmountMicros": str(_required(rec.budget_units, rec))}
    elif rec.kind == Kind.KEYWORD:
        operation["keyword"] = {"adGroup": rec.ad_group, "matchType": rec.match_type or "BROAD"}
    elif rec.kind == Kind.TARGET_CPA:
        operation["targetCpaOptIn"] = {"targetCpaMicros": str(_required(rec.target_cpa_units, rec))}
    else:
        operation["targetRoasOptIn"] = {"targetRoas": float(_required(rec.target_roas, rec))}
    return operation


def validation(rec: RemoteRecommendation, customer_id: str) -> tuple[str, dict]:
    """The mutate (its method and one operation) that applying a keyword or bidding recommendation amounts to, with
    the values the approver saw: what Google is asked to validate before `recommendations:apply`."""
    if rec.kind == Kind.KEYWORD:
        keyword = {"text": rec.keyword, "matchType": rec.match_type or "BROAD"}
        return "adGroupCriteria:mutate", {"create": {"adGroup": rec.ad_group, "status": "ENABLED", "keyword": keyword}}
    campaign = f"customers/{customer_id}/campaigns/{rec.campaign_external_id}"
    if rec.kind == Kind.TARGET_CPA:
        target = {"targetCpa": {"targetCpaMicros": str(_required(rec.target_cpa_units, rec))}}
        mask = "target_cpa.target_cpa_micros"
    elif rec.kind == Kind.TARGET_ROAS:
        target, mask = {"targetRoas": {"targetRoas": float(_required(rec.target_roas, rec))}}, "target_roas.target_roas"
    else:
        raise ValueError(f"a {rec.kind} recommendation is validated through its own mutate")
    return "campaigns:mutate", {"update": {"resourceName": campaign, **target}, "updateMask": mask}


def _required(value, rec: RemoteRecommendation):
    if value is None:
        raise errors.InvalidRequest(
            f"Google Ads gave no recommended value for {rec.resource_name}", code="RECOMMENDATION_INCOMPLETE"
        )
    return value


def _figures(metrics) -> Figures | None:
    if not isinstance(metrics, dict):
        return None
    return Figures(
        cost_units=_int(metrics.get("costMicros")) or 0,
        clicks=_decimal(metrics.get("clicks")),
        conversions=_decimal(metrics.get("conversions")),
    )


def _int(value) -> int | None:
    return None if value is None else int(value)


def _decimal(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))
