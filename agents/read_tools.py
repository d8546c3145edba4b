"""Read tools: what an engine may look up in the tenant's own marketing data, with JSON schemas.

Each tool is tenant-scoped by construction (it receives the tenant, never an id of one), validates its
arguments against its schema, and returns plain JSON. Engines call them through the tool gateway
(`agents.gateway.read`), which checks the agent may use the tool, rate-limits and audits the call.

A tool also receives the person the agent answers (the asker) and tells them only what they may see through
the access layer of the data's app: the marketing figures here are the business's, told to any of its people
(`business_wide`, as the built-in agents and the daily brief tell them); hitl's `pending_approvals` lists
what `hitl.access.approvals_for` gives the asker, as the approvals API does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

import jsonschema

from agents.models import AgentType, AudienceSegment, Campaign, ContentPiece, KeywordRanking
from agents.performance import Totals, last_days, totals_by_campaign, totals_then_and_now
from core import currencies

DAYS = {"type": "integer", "minimum": 1, "maximum": 90, "default": 7, "description": "Complete days ending yesterday"}
LIST_LIMIT = 10


class ToolArgumentError(ValueError):
    """The arguments do not fit the tool's schema or name nothing the tenant has."""


@dataclass(frozen=True)
class ReadTool:
    name: str
    description: str
    parameters: dict
    agents: frozenset[str]
    run: Callable[[object, object, dict], dict]  # (tenant, asker, arguments)

    def schema(self) -> dict:
        """The tool as an OpenAI-compatible function definition."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    def call(self, tenant, asker, arguments: dict) -> dict:
        try:
            jsonschema.validate(arguments, self.parameters)
        except jsonschema.ValidationError as err:
            raise ToolArgumentError(err.message) from None
        return self.run(tenant, asker, arguments)


def _money(value: Decimal | None, currency: str) -> str | None:
    """An amount with the digits its currency has (JPY none, USD two): "6000", "104.83"."""
    return None if value is None else str(Decimal(value).quantize(Decimal(1).scaleb(-currencies.places(currency))))


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _figures(t: Totals, currency: str) -> dict:
    return {
        "spend": _money(t.spend, currency),
        "impressions": t.impressions,
        "clicks": t.clicks,
        "conversions": t.conversions,
        "revenue": _money(t.revenue, currency),
        "cpa": _money(t.cpa, currency),
        "roas": _ratio(t.roas),
        "ctr_percent": _ratio(Decimal(t.clicks * 100) / t.impressions) if t.impressions else None,
    }


def _find_campaign(tenant, name_or_id: str) -> Campaign:
    campaigns = Campaign.objects.for_tenant(tenant)
    wanted = name_or_id.strip()
    found = campaigns.filter(name__iexact=wanted).first() or campaigns.filter(name__icontains=wanted).first()
    if found is None and len(wanted) == 36:
        found = campaigns.filter(pk=wanted).first()
    if found is None:
        names = ", ".join(campaigns.order_by("name").values_list("name", flat=True)[:LIST_LIMIT])
        raise ToolArgumentError(f"no campaign named {wanted!r}; the campaigns are: {names or 'none'}")
    return found


def campaign_performance(tenant, args: dict) -> dict:
    current, previous = last_days(tenant, args.get("days", 7))
    campaigns = [_find_campaign(tenant, args["campaign"])] if args.get("campaign") else None
    rows = []
    for campaign in campaigns or Campaign.objects.for_tenant(tenant).order_by("name")[:LIST_LIMIT]:
        now, then = totals_then_and_now(tenant, current, previous, campaign=campaign)
        rows.append(
            {
                "campaign_id": str(campaign.pk),
                "name": campaign.name,
                "platform": campaign.platform,
                "status": campaign.status,
                "daily_budget": _money(campaign.daily_budget, campaign.currency),
                "currency": campaign.currency,  # of every amount in the row; amounts of different ones never add up
                # When a sync from the ad platform last wrote it (ISO 8601, UTC); null for campaigns kept in Walker.
                "figures_as_of": campaign.synced_at.isoformat() if campaign.synced_at else None,
                "period": _figures(now, campaign.currency),
                "previous_period": _figures(then, campaign.currency),
            }
        )
    return {"from": current.first.isoformat(), "to": current.last.isoformat(), "campaigns": rows}


RANKABLE = {  # metric: (how to compute from totals, whether lower is better)
    "cpa": (lambda t: t.cpa, True),
    "roas": (lambda t: t.roas, False),
    "spend": (lambda t: t.spend, False),
    "conversions": (lambda t: t.conversions, False),
    "ctr": (lambda t: Decimal(t.clicks) / t.impressions if t.impressions else None, False),
}
# Amounts of money, ranked within each currency (a CPA in yen does not compare with one in dollars).
RANKED_WITHIN_CURRENCY = frozenset({"cpa", "spend"})


def rank_campaigns(tenant, args: dict) -> dict:
    """Campaigns by a metric; money metrics ranked currency by currency, `limit` campaigns of each."""
    current, _ = last_days(tenant, args.get("days", 7))
    measure, lower_is_better = RANKABLE[args["metric"]]
    by_campaign = totals_by_campaign(tenant, current)
    scored = []
    for campaign in Campaign.objects.for_tenant(tenant):
        totals = by_campaign.get(campaign.pk)
        value = measure(totals) if totals else None
        if value is not None:
            scored.append((value, campaign, totals))
    per_currency = args["metric"] in RANKED_WITHIN_CURRENCY
    groups = [scored]
    if per_currency:
        groups = [
            [row for row in scored if row[1].currency == code] for code in sorted({c.currency for _, c, _ in scored})
        ]
    order, limit, listed = args.get("order", "best"), args.get("limit", 3), []
    for group in groups:
        best_first = sorted(group, key=lambda row: (row[0], row[1].name), reverse=not lower_is_better)
        listed += (best_first if order == "best" else list(reversed(best_first)))[:limit]
    return {
        "metric": args["metric"],
        "order": order,
        "ranked_within_currency": per_currency,
        "from": current.first.isoformat(),
        "to": current.last.isoformat(),
        "campaigns": [
            {
                "campaign_id": str(c.pk),
                "name": c.name,
                "status": c.status,
                "currency": c.currency,
                **_figures(t, c.currency),
            }
            for _, c, t in listed
        ],
    }


def keyword_moves(tenant, args: dict) -> dict:
    """Each keyword's net move over the period: where it stood before the period (the first day's previous
    position) against its latest position. A keyword that went up one day and down the next is not listed
    as both gained and lost."""
    since = last_days(tenant, args.get("days", 7))[0].first
    days = (
        KeywordRanking.objects.for_tenant(tenant)
        .filter(date__gte=since)
        .order_by("keyword", "url", "date")
        .values("keyword", "url", "position", "previous_position", "search_volume", "date")
    )
    moves = []
    for _, rows in groupby(days, key=lambda row: (row["keyword"], row["url"])):
        rows = list(rows)
        first, latest = rows[0], rows[-1]
        start = first["previous_position"] if first["previous_position"] is not None else first["position"]
        if start != latest["position"]:
            moves.append({**latest, "previous_position": start, "change": start - latest["position"]})
    gained = sorted((m for m in moves if m["change"] > 0), key=lambda m: (-m["change"], m["keyword"]))
    lost = sorted((m for m in moves if m["change"] < 0), key=lambda m: (m["change"], m["keyword"]))
    return {
        "since": since.isoformat(),
        "gained": [_move(m) for m in gained[:LIST_LIMIT]],
        "lost": [_move(m) for m in lost[:LIST_LIMIT]],
    }


def _move(row: dict) -> dict:
    return {**row, "date": row["date"].isoformat()}


def content_performance(tenant, args: dict) -> dict:
    pieces = ContentPiece.objects.for_tenant(tenant)
    since = last_days(tenant, args.get("days", 30))[0].first
    published = pieces.filter(status=ContentPiece.Status.PUBLISHED, published_at__date__gte=since)
    fields = ("id", "title", "channel", "status", "views", "engagement", "published_at", "scheduled_for")
    return {
        "since": since.isoformat(),
        "best": [_piece(p) for p in published.order_by("-views", "title").values(*fields)[:LIST_LIMIT]],
        "drafts": [
            _piece(p)
            for p in pieces.filter(status=ContentPiece.Status.DRAFT).order_by("title").values(*fields)[:LIST_LIMIT]
        ],
    }


def _piece(row: dict) -> dict:
    out = {**row, "id": str(row["id"])}
    for key in ("published_at", "scheduled_for"):
        out[key] = row[key].isoformat() if row[key] else None
    return out


def audience_growth(tenant, args: dict) -> dict:
    segments = AudienceSegment.objects.for_tenant(tenant).order_by("-weekly_growth", "name")
    return {
        "segments": [
            {"segment_id": str(s.pk), "name": s.name, "size": s.size, "weekly_growth_percent": str(s.weekly_growth)}
            for s in segments[: args.get("limit", LIST_LIMIT)]
        ]
    }


def business_wide(figures: Callable[[object, dict], dict]) -> Callable[[object, object, dict], dict]:
    """A tool over the business's marketing figures, told alike to any of its people (the asker is not asked)."""
    return lambda tenant, asker, args: figures(tenant, args)


ALL_AGENTS = frozenset(AgentType.values)
TOOLS = {
    tool.name: tool
    for tool in (
        ReadTool(
            "campaign_performance",
            "Spend, conversions, CPA, ROAS, CTR and daily budget of one campaign (by name) or of every campaign, "
            "over a period and the period before it.",
            {
                "type": "object",
                "properties": {"campaign": {"type": "string", "description": "A campaign's name"}, "days": DAYS},
                "additionalProperties": False,
            },
            frozenset({AgentType.PAID_ADS}),
            business_wide(campaign_performance),
        ),
        ReadTool(
            "rank_campaigns",
            "Campaigns ranked by a metric over a period: the best or the worst first.",
            {
                "type": "object",
                "properties": {
                    "metric": {"type": "string", "enum": sorted(RANKABLE)},
                    "order": {"type": "string", "enum": ["best", "worst"], "default": "best"},
                    "days": DAYS,
                    "limit": {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT, "default": 3},
                },
                "required": ["metric"],
                "additionalProperties": False,
            },
            frozenset({AgentType.PAID_ADS}),
            business_wide(rank_campaigns),
        ),
        ReadTool(
            "keyword_moves",
            "Search keywords that gained or lost ranking positions over a period.",
            {"type": "object", "properties": {"days": DAYS}, "additionalProperties": False},
            frozenset({AgentType.SEO}),
            business_wide(keyword_moves),
        ),
        ReadTool(
            "content_performance",
            "The best published content by views over a period, and the drafts waiting.",
            {"type": "object", "properties": {"days": {**DAYS, "default": 30}}, "additionalProperties": False},
            frozenset({AgentType.CONTENT}),
            business_wide(content_performance),
        ),
        ReadTool(
            "audience_growth",
            "Audience segments, fastest growing first (size and weekly growth).",
            {
                "type": "object",
                "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT}},
                "additionalProperties": False,
            },
            frozenset({AgentType.AUDIENCE}),
            business_wide(audience_growth),
        ),
    )
}


def register(tool: ReadTool) -> None:
    """For apps above agents (hitl) to offer a read tool over their own data."""
    TOOLS[tool.name] = tool


def tools_for(agent) -> list[ReadTool]:
    return [tool for tool in TOOLS.values() if agent.agent_type in tool.agents]
