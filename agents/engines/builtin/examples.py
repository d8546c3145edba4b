"""What each agent can be asked, as examples made from the tenant's own rows, in the active language.

Shown with a greeting, "what can you do?" and whatever the agent did not understand; every example is a
phrasing the built-in engine reads (tests/agents_nlu check them in both languages).
"""

from django.utils.translation import gettext as _

from agents.models import AgentType, AudienceSegment, Campaign, ContentPiece, KeywordRanking, TargetKeyword

# The names used when the tenant has no row of a kind yet.
SAMPLE = {"campaign": "Summer Sale", "piece": "Fall Gear Guide", "keyword": "hiking boots", "segment": "Trail Runners"}


def _first(queryset, field: str, fallback: str) -> str:
    return queryset.order_by(field).values_list(field, flat=True).first() or fallback


def _paid_ads(tenant) -> list[str]:
    campaigns = Campaign.objects.for_tenant(tenant)
    # The active campaign with the largest budget: the one people most likely ask about.
    biggest = campaigns.filter(status=Campaign.Status.ACTIVE).order_by("-daily_budget", "name")
    active = biggest.values_list("name", flat=True).first() or _first(campaigns, "name", SAMPLE["campaign"])
    paused = _first(campaigns.filter(status=Campaign.Status.PAUSED), "name", "")
    examples = [
        _("How is my %(campaign)s campaign doing?") % {"campaign": active},
        _("Which campaign is performing best?"),
        _("Raise the %(campaign)s budget to %(amount)s a day")
        % {"campaign": active, "amount": _("$%(amount)s") % {"amount": 700}},
        _("Pause the %(campaign)s campaign") % {"campaign": active},
    ]
    if paused:
        examples.append(_("Resume the %(campaign)s campaign") % {"campaign": paused})
    return examples


def _seo(tenant) -> list[str]:
    rankings = KeywordRanking.objects.for_tenant(tenant)
    targets = TargetKeyword.objects.for_tenant(tenant)
    ranked = _first(rankings, "keyword", SAMPLE["keyword"])
    target = _first(targets, "keyword", ranked)
    # a keyword the tenant ranks for but does not target yet: the one worth adding
    untargeted = _first(rankings.exclude(keyword__in=targets.values("keyword")), "keyword", SAMPLE["keyword"])
    return [
        _("Which keywords gained or lost positions?"),
        _("How do we rank for %(keyword)s?") % {"keyword": ranked},
        _("What are our target keywords?"),
        _("Add '%(keyword)s' as a target keyword") % {"keyword": untargeted},
        _("Stop tracking '%(keyword)s'") % {"keyword": target},
    ]


def _content(tenant) -> list[str]:
    pieces = ContentPiece.objects.for_tenant(tenant)
    draft = _first(pieces.exclude(status=ContentPiece.Status.PUBLISHED), "title", SAMPLE["piece"])
    return [
        _("What's our best content?"),
        _("What's scheduled?"),
        _("Which drafts do we have?"),
        _("Publish '%(title)s'") % {"title": draft},
        _("Schedule '%(title)s' for Friday 9am") % {"title": draft},
    ]


def _audience(tenant) -> list[str]:
    largest = AudienceSegment.objects.for_tenant(tenant).order_by("-size", "name")
    segment = largest.values_list("name", flat=True).first() or SAMPLE["segment"]
    return [
        _("Which audiences are growing fastest?"),
        _("How big is the %(segment)s audience?") % {"segment": segment},
        _("Create a retargeting audience of cart abandoners from the last 30 days"),
        _("Create a lookalike of %(segment)s") % {"segment": segment},
    ]


EXAMPLES = {
    AgentType.PAID_ADS: _paid_ads,
    AgentType.SEO: _seo,
    AgentType.CONTENT: _content,
    AgentType.AUDIENCE: _audience,
}


def examples(agent_type: str, tenant) -> list[str]:
    return EXAMPLES[agent_type](tenant)
