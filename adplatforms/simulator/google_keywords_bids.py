"""The fake Google Ads' keywords and bidding targets: `adGroupCriteria:mutate` creating a keyword in an ad group, and
the `target_cpa` / `target_roas` fields of `campaigns:mutate`. Walker sends them with `validateOnly` to check a
keyword or bidding recommendation before `recommendations:apply` (which has no `validateOnly`); the fake's apply of
those recommendations goes through the same checks and changes, as a budget's goes through the budget mutate.

Each check returns the change to make (a function), so a request is all-or-nothing and `validateOnly` makes none.
Refusals are Google's documented codes: a missing ad group (`mutateError` RESOURCE_NOT_FOUND), a keyword longer than
80 characters or of more than 10 words (`criterionError`), a target below the currency's smallest unit or not a
multiple of it (`biddingError` BID_TOO_SMALL, BID_TOO_MANY_FRACTIONAL_DIGITS), a ROAS outside 0.01–1000, and a
scripted `Campaign.bidding_refusal` (e.g. BIDDING_STRATEGY_TRANSITION_NOT_ALLOWED)."""

from decimal import Decimal

from adplatforms import money

MATCH_TYPES = ("EXACT", "PHRASE", "BROAD")
KEYWORD_MAX_CHARACTERS, KEYWORD_MAX_WORDS = 80, 10
ROAS_RANGE = (Decimal("0.01"), Decimal("1000"))
BIDDING_MASKS = {"target_cpa.target_cpa_micros": "targetCpa", "target_roas.target_roas": "targetRoas"}


def criteria_mutate(fake, customer, body: dict) -> dict:
    """`adGroupCriteria:mutate` with `create` operations of keywords."""
    operations = body.get("operations") or []
    if not operations:
        raise fake._refuse(400, "INVALID_ARGUMENT", {"requestError": "OPERATION_REQUIRED"}, "No operations.")
    planned = [keyword_change(fake, customer, op.get("create"), index) for index, op in enumerate(operations)]
    if body.get("validateOnly"):
        return {}
    return {"results": [{"resourceName": change()} for change in planned]}


def keyword_change(fake, customer, create, index: int):
    """The check of one keyword criterion to create in an ad group; the change (returning its resource name)."""
    location = [("operations", index), ("create", None)]

    def refuse(code: dict, message: str, field: str):
        return fake._refuse(400, "INVALID_ARGUMENT", code, message, location=[*location, (field, None)])

    if not isinstance(create, dict):
        raise fake._refuse(
            400, "INVALID_ARGUMENT", {"requestError": "OPERATION_REQUIRED"},
            "The fake Google Ads API creates ad group criteria only.", location=location[:1],
        )  # fmt: skip
    ad_group = str(create.get("adGroup", ""))
    ad_group_id = ad_group.rsplit("/", 1)[-1]
    if not ad_group.startswith(f"customers/{customer.id}/adGroups/") or ad_group_id not in customer.ad_groups:
        raise refuse({"mutateError": "RESOURCE_NOT_FOUND"}, "Resource was not found.", "ad_group")
    keyword = create.get("keyword") or {}
    text, match_type = str(keyword.get("text", "")).strip(), keyword.get("matchType")
    if not text or match_type not in MATCH_TYPES:
        raise refuse({"fieldError": "REQUIRED"}, "The keyword's text and match type are required.", "keyword")
    if len(text) > KEYWORD_MAX_CHARACTERS:
        raise refuse({"criterionError": "KEYWORD_TEXT_TOO_LONG"}, "Keyword text is too long.", "keyword")
    if len(text.split()) > KEYWORD_MAX_WORDS:
        raise refuse({"criterionError": "KEYWORD_HAS_TOO_MANY_WORDS"}, "Keyword has too many words.", "keyword")

    def change() -> str:
        customer.keywords.append((ad_group_id, text, match_type))
        return f"customers/{customer.id}/adGroupCriteria/{ad_group_id}~{len(customer.keywords)}"

    return change


def bidding_change(fake, customer, campaign, update: dict, mask: list, index: int):
    """The check of a campaign's target CPA or target ROAS (`mask` names the one field); the change."""
    (field,) = mask
    location = [("operations", index), ("update", None), (field.split(".")[0], None)]

    def refuse(code: str, message: str):
        return fake._refuse(400, "INVALID_ARGUMENT", {"biddingError": code}, message, location=location)

    if campaign.bidding_refusal:
        raise refuse(campaign.bidding_refusal, "The campaign cannot move to this bidding strategy.")
    target = update.get(BIDDING_MASKS[field]) or {}
    if field == "target_cpa.target_cpa_micros":
        micros = int(target.get("targetCpaMicros", 0))
        step = money.MICROS // 10 ** money.places(customer.currency)
        if micros < step:
            raise refuse("BID_TOO_SMALL", "Bid amount is too small.")
        if micros % step:
            raise refuse("BID_TOO_MANY_FRACTIONAL_DIGITS", "Bid has too many fractional digit precision.")

        def change():
            campaign.target_cpa_micros = micros

        return change
    roas = Decimal(str(target.get("targetRoas", 0)))
    if not ROAS_RANGE[0] <= roas <= ROAS_RANGE[1]:
        raise refuse("BID_TOO_SMALL" if roas < ROAS_RANGE[0] else "BID_TOO_BIG", "The target ROAS is out of range.")

    def change():
        campaign.target_roas = float(roas)

    return change
