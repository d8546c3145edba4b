"""The built-in engine on plain-English phrasings, each expectation computed here from the rows the test creates.

Figures (spend, CPA, ROAS, CTR, conversions, positions, views, sizes), the names picked by a superlative and the
proposed action's type and data are worked out from the factories' rows, never copied from the engine.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from agents.models import AudienceSegment, CampaignDailyStat, ContentPiece, KeywordRanking, TargetKeyword
from tests.agents.conftest import NOW, YESTERDAY, latest_rankings, published
from tests.factories import (
    AudienceSegmentFactory,
    CampaignDailyStatFactory,
    CampaignFactory,
    ContentPieceFactory,
    KeywordRankingFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.shape_neutral("the engine's words: the figures quoted come from queries tested on both shapes"),
]

PARIS = ZoneInfo("Europe/Paris")


def _r(value, places="0.01"):
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def money(value) -> str:
    value = Decimal(value)
    rounded = _r(value, "1" if abs(value) >= 1000 else "0.01")
    return f"{'-' if rounded < 0 else ''}${abs(rounded):,}"


def signed(value, places, suffix) -> str:
    rounded = _r(value, places)
    return f"{'+' if rounded > 0 else ''}{rounded if rounded else abs(rounded)}{suffix}"


def number(value) -> str:
    return f"{int(_r(value, '1')):,}"


# --- Paid Ads ---------------------------------------------------------------------------------------------

PAID_ADS = "paid_ads"
METRICS = ("spend", "impressions", "clicks", "conversions", "revenue")


def add_days(campaign, backs, **figures):
    """One stat row per day `back` days before today; each figure is a function of `back`."""
    for back in backs:
        CampaignDailyStatFactory(
            campaign=campaign,
            date=YESTERDAY + timedelta(days=1) - timedelta(days=back),
            **{name: figure(back) for name, figure in figures.items()},
        )


@pytest.fixture
def campaigns(tenant, other_tenant):
    trail = CampaignFactory(tenant=tenant, name="Trail Shoes Launch", daily_budget=Decimal("400.00"))
    add_days(
        trail,
        range(0, 61),  # today's partial day is in no window
        spend=lambda n: Decimal(300 + 5 * n),
        impressions=lambda n: 20000 + 100 * n,
        clicks=lambda n: 500 - 3 * n,
        conversions=lambda n: 10 + n % 5,
        revenue=lambda n: Decimal(1200 + 20 * (n % 7)),
    )
    brand = CampaignFactory(tenant=tenant, name="Brand Search", platform="google", daily_budget=Decimal("200.00"))
    add_days(
        brand,
        range(1, 61),
        spend=lambda n: Decimal(150),
        impressions=lambda n: 4000,
        clicks=lambda n: 360 + n % 4,
        conversions=lambda n: 9 + n % 3,
        revenue=lambda n: Decimal(1100 + 10 * n),
    )
    winter = CampaignFactory(tenant=tenant, name="Winter Jackets", daily_budget=Decimal("300.00"))
    add_days(
        winter,
        range(1, 61),
        spend=lambda n: Decimal(250 + 2 * n),
        impressions=lambda n: 30000,
        clicks=lambda n: 240,
        conversions=lambda n: 4 + n % 2,
        revenue=lambda n: Decimal(600 + n),
    )
    spring = CampaignFactory(tenant=tenant, name="Spring Clearance", status="paused", daily_budget=Decimal("250.00"))
    add_days(
        spring,
        range(10, 21),
        spend=lambda n: Decimal(250),
        impressions=lambda n: 25000 + n,
        clicks=lambda n: 300,
        conversions=lambda n: 1,
        revenue=lambda n: Decimal(500),
    )
    # Another tenant's campaign tops every metric and must never be picked.
    theirs = CampaignFactory(tenant=other_tenant, name="Rocket Boots", daily_budget=Decimal("999.00"))
    add_days(
        theirs,
        range(1, 61),
        spend=lambda n: Decimal(9000),
        impressions=lambda n: 900000,
        clicks=lambda n: 90000,
        conversions=lambda n: 900,
        revenue=lambda n: Decimal(900000),
    )
    return {c.name: c for c in (trail, brand, winter, spring)}


def totals(tenant, days, campaign=None, before=0):
    """Sums over the `days` complete days ending yesterday (`before`: that many days earlier)."""
    last = YESTERDAY - timedelta(days=before)
    rows = CampaignDailyStat.objects.filter(tenant=tenant, date__range=(last - timedelta(days=days - 1), last))
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    return {name: sum((getattr(row, name) for row in rows), Decimal(0)) for name in METRICS}


def metric(t, name):
    return {
        "cpa": t["spend"] / t["conversions"] if t["conversions"] else None,
        "roas": t["revenue"] / t["spend"] if t["spend"] else None,
        "ctr": t["clicks"] * Decimal(100) / t["impressions"] if t["impressions"] else None,
        "conversions": t["conversions"],
        "spend": t["spend"],
    }[name]


def shown(name, value):
    if name in ("cpa", "spend"):
        return money(value)
    if name == "roas":
        return f"{_r(value, '0.1')}x"
    if name == "ctr":
        return f"{_r(value, '0.1')}%"
    return number(value)


def ranked_by(tenant, name, pick, days=7):
    """[(campaign name, value)], the campaign `pick` (min or max) chooses first, as the engine ranks them."""
    values = {}
    for campaign in tenant.campaigns.all():
        t = totals(tenant, days, campaign)
        if (t["spend"] or t["impressions"]) and (value := metric(t, name)) is not None:
            values[campaign.name] = value
    ordered = sorted(values.items(), key=lambda item: (item[1], item[0]), reverse=pick is max)
    return ordered


def change_percent(now, then):
    return "n/a" if not then else signed((now - then) / then * 100, "1", "%")


def label(days):
    return "yesterday" if days == 1 else f"last {days} days"


def spoken_period(days):
    return "yesterday" if days == 1 else f"in the last {days} days"


@pytest.mark.parametrize(
    "text, name, days",
    [
        ("How did Trail Shoes Launch do over the last 30 days?", "Trail Shoes Launch", 30),
        ("Brand Search performance for the past 2 weeks", "Brand Search", 14),
        ("how was winter jackets doing yesterday", "Winter Jackets", 1),
        ("show me the numbers for Brand Search", "Brand Search", 7),
    ],
)
def test_one_campaign_over_a_period(ask, tenant, campaigns, text, name, days):
    campaign = campaigns[name]
    now, then = totals(tenant, days, campaign), totals(tenant, days, campaign, before=days)

    reply = ask(PAID_ADS, text)

    assert reply.actions == []
    head = f"{name}, {label(days)}: spend {money(now['spend'])} ({change_percent(now['spend'], then['spend'])}), "
    head += f"CTR {shown('ctr', metric(now, 'ctr'))}"
    assert reply.text.startswith(head)
    assert f"CPA {money(metric(now, 'cpa'))} ({change_percent(metric(now, 'cpa'), metric(then, 'cpa'))})" in reply.text
    assert f"{number(now['conversions'])} conversions, {money(now['revenue'])} revenue." in reply.text


@pytest.mark.parametrize(
    "text, days",
    [
        ("What did we spend on ads in the last 30 days?", 30),
        ("How did our campaigns do last month?", 30),
        ("how did all campaigns do yesterday", 1),
    ],
)
def test_all_campaigns_over_a_period(ask, tenant, campaigns, text, days):
    now, then = totals(tenant, days), totals(tenant, days, before=days)
    by_roas = ranked_by(tenant, "roas", max, days)

    reply = ask(PAID_ADS, text)

    assert reply.text.startswith(
        f"All campaigns, {label(days)}: spend {money(now['spend'])} ({change_percent(now['spend'], then['spend'])})"
    )
    (best, best_roas), (worst, worst_roas) = by_roas[0], by_roas[-1]
    assert f"Best ROAS: {best} {shown('roas', best_roas)}. Worst: {worst} {shown('roas', worst_roas)}." in reply.text
    assert "Rocket Boots" not in reply.text


@pytest.mark.parametrize(
    "text, name, pick, word, days",
    [
        ("Which campaign has the lowest CPA?", "cpa", min, "lowest", 7),
        ("which campaign had the most conversions?", "conversions", max, "most", 7),
        ("Which campaign has the fewest conversions?", "conversions", min, "fewest", 7),
        ("which campaign has the highest ROAS?", "roas", max, "highest", 7),
        ("which campaign spent the least?", "spend", min, "least", 7),
        ("what's the cheapest campaign per conversion?", "cpa", min, "cheapest", 7),
        ("Which campaign has the best CTR over the last 30 days?", "ctr", max, "best", 30),
        ("which campaign had the worst ROAS last month", "roas", min, "worst", 30),
    ],
)
def test_best_and_worst_by_the_metric_named(ask, tenant, campaigns, text, name, pick, word, days):
    ranked = ranked_by(tenant, name, pick, days)
    first, value = ranked[0]
    label_of = {"cpa": "CPA", "roas": "ROAS", "ctr": "CTR"}.get(name, name)

    lines = ask(PAID_ADS, text).text.splitlines()

    assert lines[0] == f"{first} has the {word} {label_of}: {shown(name, value)} {spoken_period(days)}."
    assert lines[2:] == [f"{n}. {c} {shown(name, v)}" for n, (c, v) in enumerate(ranked, 1)]


def reach_per_dollar(tenant, campaign):
    t = totals(tenant, 7, campaign)
    return Decimal(t["impressions"]) / t["spend"]


@pytest.mark.parametrize(
    "text, name, new_budget, confidence",
    [
        ("increase Brand Search's daily budget by $75", "Brand Search", lambda old: old + 75, 0.9),
        ("drop the winter jackets budget to 150 dollars", "Winter Jackets", lambda old: Decimal(150), 0.9),
        ("boost Trail Shoes Launch budget by 15 percent", "Trail Shoes Launch", lambda old: old * Decimal("1.15"), 0.9),
        ("give Brand Search 25% more budget", "Brand Search", lambda old: old * Decimal("1.25"), 0.9),
        ("trim $40 off the Brand Search budget", "Brand Search", lambda old: old - 40, 0.9),
        ("Set the Trail Shoes Launch daily budget to $1.2k", "Trail Shoes Launch", lambda old: Decimal(1200), 0.9),
        ("double winter jacket's budget", "Winter Jackets", lambda old: old * 2, 0.7),
    ],
)
def test_budget_changes_in_dollars_and_percent(ask, tenant, campaigns, text, name, new_budget, confidence):
    campaign = campaigns[name]
    old, new = campaign.daily_budget, _r(new_budget(campaign.daily_budget))
    extra = max(new - old, Decimal(0))

    [action] = ask(PAID_ADS, text).actions

    assert action.action_type == "set_budget"
    assert action.action_data == {
        "campaign_id": str(campaign.id),
        "campaign_name": name,
        "daily_budget": str(new),
        "previous_daily_budget": str(old),
    }
    verb = "Raise" if new > old else "Lower"
    assert action.summary == f"{verb} {name} daily budget from ${old:,} to ${new:,}"
    assert action.estimated_cost == _r(extra * 30)
    assert action.estimated_reach == int(_r(extra * 30 * reach_per_dollar(tenant, campaign), "1"))
    assert action.confidence == confidence


@pytest.mark.parametrize(
    "text, name, action_type, confidence",
    [
        ("pause the trail shoes lanch campaign", "Trail Shoes Launch", "pause_campaign", 0.7),
        ("switch off brand serch", "Brand Search", "pause_campaign", 0.7),
        ("kill Winter Jackets", "Winter Jackets", "pause_campaign", 0.9),
        ("resume the sprng clearance campaign", "Spring Clearance", "resume_campaign", 0.7),
        ("bring Spring Clearance back", "Spring Clearance", "resume_campaign", 0.9),
    ],
)
def test_pause_and_resume_by_a_fuzzy_name(ask, tenant, campaigns, text, name, action_type, confidence):
    campaign = campaigns[name]

    reply = ask(PAID_ADS, text)

    [action] = reply.actions
    assert (action.action_type, action.action_data) == (
        action_type,
        {"campaign_id": str(campaign.id), "campaign_name": name},
    )
    assert action.confidence == confidence
    if action_type == "pause_campaign":
        week = totals(tenant, 7, campaign)
        assert f"It spent {money(week['spend'])} in the last 7 days (ROAS {shown('roas', metric(week, 'roas'))})" in (
            reply.text
        )
    else:  # paused: reach from its 7 most recent days with spend
        recent = CampaignDailyStat.objects.filter(campaign=campaign, spend__gt=0).order_by("-date")[:7]
        per_dollar = Decimal(sum(r.impressions for r in recent)) / sum(r.spend for r in recent)
        assert action.estimated_cost == campaign.daily_budget * 30
        assert action.estimated_reach == int(_r(campaign.daily_budget * 30 * per_dollar, "1"))


@pytest.mark.parametrize(
    "text, name, pick, action_type, new_budget",
    [
        ("pause the campaign with the fewest conversions", "conversions", min, "pause_campaign", None),
        ("kill our most expensive campaign per conversion", "cpa", max, "pause_campaign", None),
        ("lower the budget of the campaign with the highest CPA by $50", "cpa", max, "set_budget", lambda o: o - 50),
        (
            "give the campaign with the best ROAS 10% more budget",
            "roas",
            max,
            "set_budget",
            lambda o: o * Decimal("1.1"),
        ),
    ],
)
def test_actions_on_a_superlative(ask, tenant, campaigns, text, name, pick, action_type, new_budget):
    chosen = campaigns[ranked_by(tenant, name, pick)[0][0]]

    [action] = ask(PAID_ADS, text).actions

    assert (action.action_type, action.action_data["campaign_id"]) == (action_type, str(chosen.id))
    if new_budget:
        assert action.action_data["daily_budget"] == str(_r(new_budget(chosen.daily_budget)))


@pytest.mark.parametrize(
    "question, pick_from, follow_up, action_type, new_budget",
    [
        (
            "which campaign has the best ROAS?",
            ("roas", max),
            "raise its budget by 10%",
            "set_budget",
            lambda o: o * Decimal("1.1"),
        ),
        (
            "How is Winter Jackets doing?",
            "Winter Jackets",
            "cut that one's budget to $150",
            "set_budget",
            lambda o: 150,
        ),
        ("which campaign spent the most?", ("spend", max), "pause that one", "pause_campaign", None),
        ("which campaign has the fewest conversions?", ("conversions", min), "ok, pause it", "pause_campaign", None),
    ],
)
def test_it_and_that_one_follow_the_last_answer(
    ask, tenant, campaigns, question, pick_from, follow_up, action_type, new_budget
):
    name = pick_from if isinstance(pick_from, str) else ranked_by(tenant, *pick_from)[0][0]
    others = [n for n in campaigns if n != name]
    history = [("user", f"How is {others[0]} doing?"), ("assistant", ask(PAID_ADS, f"How is {others[0]} doing?").text)]
    history += [("user", question), ("assistant", ask(PAID_ADS, question).text)]

    [action] = ask(PAID_ADS, follow_up, history=history).actions

    assert (action.action_type, action.action_data["campaign_name"]) == (action_type, name)
    assert action.confidence == 0.7
    if new_budget:
        assert action.action_data["daily_budget"] == str(_r(new_budget(campaigns[name].daily_budget)))


@pytest.mark.parametrize(
    "question, follow_up, days, expected_start",
    [
        ("How is Brand Search doing?", "and over the last 30 days?", 30, "report"),
        ("which campaign has the best ROAS?", "what about last month?", 30, "standout"),
        ("How are my campaigns doing?", "how about yesterday?", 1, "overview"),
    ],
)
def test_the_same_question_for_another_period(ask, tenant, campaigns, question, follow_up, days, expected_start):
    now, then = totals(tenant, days), totals(tenant, days, before=days)
    if expected_start == "report":
        brand = totals(tenant, days, campaigns["Brand Search"])
        start = f"Brand Search, {label(days)}: spend {money(brand['spend'])}"
    elif expected_start == "standout":
        best, value = ranked_by(tenant, "roas", max, days)[0]
        start = f"{best} has the best ROAS: {shown('roas', value)} {spoken_period(days)}."
    else:
        start = (
            f"All campaigns, {label(days)}: spend {money(now['spend'])} ({change_percent(now['spend'], then['spend'])})"
        )
    history = [("user", question), ("assistant", ask(PAID_ADS, question).text)]

    reply = ask(PAID_ADS, follow_up, history=history)

    assert reply.text.startswith(start)
    assert reply.actions == []


# --- SEO --------------------------------------------------------------------------------------------------

SEO = "seo"


def rank(tenant, keyword, position, previous, volume, day=YESTERDAY):
    slug = keyword.replace(" ", "-")
    return KeywordRankingFactory(
        tenant=tenant,
        keyword=keyword,
        position=position,
        previous_position=previous,
        date=day,
        search_volume=volume,
        url=f"https://acme.test/{slug}",
    )


@pytest.fixture
def rankings(tenant, other_tenant):
    rank(tenant, "hiking boots", 8, 9, 12100, day=YESTERDAY - timedelta(days=1))
    rank(tenant, "hiking boots", 5, 8, 12100)
    rank(tenant, "trail running shoes", 15, 11, 9900)
    rank(tenant, "camping tents", 21, 21, 18100)
    rank(tenant, "rain jacket", 19, 17, 14800)
    rank(tenant, "down sleeping bag", 7, 12, 6600, day=YESTERDAY - timedelta(days=2))
    rank(tenant, "tent pegs", 30, None, 880)
    rank(tenant, "hiking socks", 9, 6, 2400)
    for keyword in ("hiking boots", "trail running shoes", "camping tents", "tent pegs"):
        TargetKeyword.objects.create(tenant=tenant, keyword=keyword)
    rank(other_tenant, "hiking boots", 1, 60, 1)
    rank(other_tenant, "merino base layer", 2, 40, 7700)


def _move(row):
    gained = signed(row.previous_position - row.position, "1", "")
    return f"{row.keyword} #{row.previous_position}→#{row.position} ({gained})"


@pytest.mark.parametrize(
    "text",
    [
        "Which keywords went up or down?",
        "how are our rankings?",
        "which of our keywords lost ground this week?",
        "What moved in search?",
    ],
)
def test_keyword_moves(ask, tenant, rankings, text):
    rows = latest_rankings(tenant)
    compared = [r for r in rows if r.previous_position is not None]
    up = sorted(
        (r for r in compared if r.position < r.previous_position),
        key=lambda r: (r.position - r.previous_position, r.keyword),
    )
    down = sorted(
        (r for r in compared if r.position > r.previous_position),
        key=lambda r: (r.previous_position - r.position, r.keyword),
    )
    average = sum(r.position for r in rows) / len(rows)

    reply = ask(SEO, text)

    assert reply.actions == []
    assert reply.text.splitlines() == [
        f"{len(rows)} keywords, average position {average:.1f}. At the latest check: {len(up)} up, "
        f"{len(down)} down, {len(compared) - len(up) - len(down)} unchanged.",
        "Gained: " + ", ".join(_move(r) for r in up[:3]),
        "Lost: " + ", ".join(_move(r) for r in down[:3]),
    ]


@pytest.mark.parametrize(
    "text, keyword",
    [
        ("where do we rank for down sleeping bag?", "down sleeping bag"),
        ("what position is rain jacket at?", "rain jacket"),
    ],
)
def test_one_keyword(ask, tenant, rankings, text, keyword):
    row = max(KeywordRanking.objects.filter(tenant=tenant, keyword=keyword), key=lambda r: r.date)
    moved = row.previous_position - row.position
    change = f"{'up' if moved > 0 else 'down'} {abs(moved)} from #{row.previous_position}"

    assert ask(SEO, text).text == (
        f"'{keyword}': #{row.position} on {row.date.day} {row.date:%b} ({change}). "
        f"{row.search_volume:,} searches/month. Page: {row.url}. Target keyword: no."
    )


@pytest.mark.parametrize(
    "text, keyword, confidence",
    [
        ("add rain jacket to our keywords", "rain jacket", 0.8),
        ("please start targeting 'Down Sleeping Bag'", "down sleeping bag", 0.9),
        ("monitor the keyword merino base layer", "merino base layer", 0.8),
    ],
)
def test_add_a_keyword(ask, tenant, rankings, text, keyword, confidence):
    ours = KeywordRanking.objects.filter(tenant=tenant, keyword=keyword).order_by("-date").first()

    [action] = ask(SEO, text).actions

    assert (action.action_type, action.action_data) == ("add_target_keyword", {"keyword": keyword})
    assert action.estimated_reach == (ours.search_volume if ours else 0)  # another tenant's volume never counts
    assert action.confidence == confidence


@pytest.mark.parametrize(
    "text, keyword, confidence",
    [
        ("stop targeting camping tents", "camping tents", 0.9),
        ("remove 'tent peg' from our target keywords", "tent pegs", 0.7),
        ("no longer target Hiking Boots", "hiking boots", 0.9),
    ],
)
def test_remove_a_keyword(ask, tenant, rankings, text, keyword, confidence):
    volume = KeywordRanking.objects.filter(tenant=tenant, keyword=keyword).order_by("-date").first().search_volume

    [action] = ask(SEO, text).actions

    assert (action.action_type, action.action_data) == ("remove_target_keyword", {"keyword": keyword})
    assert (action.estimated_reach, action.confidence) == (volume, confidence)


# --- Content ----------------------------------------------------------------------------------------------

CONTENT = "content"


@pytest.fixture
def pieces(tenant, other_tenant):
    published(tenant, "Ten Trails to Hike", "blog", 3, 8400, 620)
    published(tenant, "Summer Sale Reel", "instagram", 2, 15200, 1480)
    published(tenant, "Boot Care Basics", "blog", 12, 5000, 410)
    published(tenant, "Packing List Carousel", "instagram", 20, 7000, 300)
    published(tenant, "Old Favourite", "blog", 50, 20000, 9000)
    for title, channel in (
        ("Fall Gear Guide", "blog"),
        ("Campfire Recipes Reel", "instagram"),
        ("Trail running shoes buyer's guide", "blog"),
    ):
        ContentPieceFactory(tenant=tenant, title=title, channel=channel, status="draft")
    ContentPieceFactory(
        tenant=tenant,
        title="Fall Hiking Boots Launch",
        channel="instagram",
        status="scheduled",
        scheduled_for=datetime(2025, 6, 6, 10, 0, tzinfo=PARIS),
    )
    published(other_tenant, "Viral Hit", "blog", 1, 999999, 99999)
    ContentPieceFactory(tenant=other_tenant, title="Secret Draft", channel="blog", status="draft")


def rate(piece):
    return f"{_r(Decimal(piece.engagement * 100) / piece.views, '0.1')}%"


@pytest.mark.parametrize(
    "text, channel, worst",
    [
        ("What were our top posts this month?", None, False),
        ("which pieces performed worst?", None, True),
        ("best instagram posts", "instagram", False),
        ("which blog articles got the most engagement?", "blog", False),
    ],
)
def test_best_and_worst_pieces(ask, tenant, pieces, text, channel, worst):
    recent = ContentPiece.objects.filter(tenant=tenant, status="published", published_at__gte=NOW - timedelta(days=30))
    if channel:
        recent = recent.filter(channel=channel)
    ranked = sorted(recent, key=lambda p: (p.engagement if worst else -p.engagement, p.title))
    views, engagement = sum(p.views for p in ranked), sum(p.engagement for p in ranked)
    kind = f"{ContentPiece.Channel(channel).label} piece" if channel else "piece"

    lines = ask(CONTENT, text).text.splitlines()

    assert lines[0] == (
        f"{len(ranked)} {kind}s published in the last 30 days: {views:,} views, {engagement:,} engagements "
        f"({_r(Decimal(engagement * 100) / views, '0.1')}%)."
    )
    assert lines[1] == ("Lowest" if worst else "Top") + " by engagement:"
    assert lines[2:] == [
        f"{n}. '{p.title}' ({p.get_channel_display()}): {p.engagement:,} engagements, {rate(p)} of {p.views:,} views"
        for n, p in enumerate(ranked[:3], 1)
    ]


@pytest.mark.parametrize(
    "text", ["What drafts are waiting?", "anything waiting to be published?", "which posts are still unpublished?"]
)
def test_drafts_waiting(ask, tenant, pieces, text):
    drafts = ContentPiece.objects.filter(tenant=tenant, status="draft").order_by("title")

    reply = ask(CONTENT, text)

    listed = ", ".join(f"'{p.title}' ({p.get_channel_display()})" for p in drafts)
    assert reply.text == f"Drafts ({len(drafts)}): {listed}."


def average_views(tenant, channel):
    views = [p.views for p in ContentPiece.objects.filter(tenant=tenant, channel=channel, status="published")]
    return round(sum(views) / len(views))


@pytest.mark.parametrize(
    "text, title, local, confidence",
    [
        ("publish the gear guide", "Fall Gear Guide", None, 0.7),
        ("please publish the fal gear guid", "Fall Gear Guide", None, 0.7),
        ("go ahead and publish the campfire recipes reel", "Campfire Recipes Reel", None, 0.9),
        ("schedule the campfire recipes reel for tomorrow at 10am", "Campfire Recipes Reel", (5, 10, 0), 0.9),
        ("post the fall gear guide on friday at 6pm", "Fall Gear Guide", (6, 18, 0), 0.9),
        ("reschedule Fall Hiking Boots Launch to next Tuesday at 11:00", "Fall Hiking Boots Launch", (10, 11, 0), 0.9),
        ("schedule the running shoes buyer's guide for June 12", "Trail running shoes buyer's guide", (12, 9, 0), 0.7),
    ],
)
def test_publish_and_schedule_by_a_fuzzy_title(ask, tenant, pieces, text, title, local, confidence):
    piece = ContentPiece.objects.get(tenant=tenant, title=title)

    [action] = ask(CONTENT, text).actions

    data = {"content_id": str(piece.id), "title": title}
    if local is None:
        assert action.action_type == "publish_content"
    else:
        day, hour, minute = local
        at = datetime(2025, 6, day, hour, minute, tzinfo=PARIS)
        assert action.action_type == "schedule_content"
        data["scheduled_for"] = at.astimezone(ZoneInfo("UTC")).isoformat()
    assert action.action_data == data
    assert action.estimated_reach == average_views(tenant, piece.channel)
    assert action.confidence == confidence


def test_schedule_it_after_asking_about_a_draft(ask, tenant, pieces):
    piece = ContentPiece.objects.get(tenant=tenant, title="Fall Gear Guide")
    history = [
        ("user", "How is Fall Gear Guide doing?"),
        ("assistant", ask(CONTENT, "How is Fall Gear Guide doing?").text),
    ]

    [action] = ask(CONTENT, "schedule it for Monday 8:30am", history=history).actions

    monday = datetime(2025, 6, 9, 8, 30, tzinfo=PARIS)  # the first Monday after Wednesday 4 June
    assert action.action_data["content_id"] == str(piece.id)
    assert action.action_data["scheduled_for"] == monday.astimezone(ZoneInfo("UTC")).isoformat()


# --- Audience ---------------------------------------------------------------------------------------------

AUDIENCE = "audience"


@pytest.fixture
def segments(tenant, other_tenant):
    for name, size, growth in (
        ("Trail Runners", 48200, "12.40"),
        ("Cart Abandoners", 6350, "4.10"),
        ("Weekend Campers", 31800, "6.80"),
        ("Past Purchasers", 22400, "1.90"),
        ("Lapsed Shoppers", 9700, "-3.20"),
        ("Website Visitors", 54000, "2.50"),
        ("Newsletter Subscribers", 15000, "-1.10"),
    ):
        AudienceSegmentFactory(tenant=tenant, name=name, size=size, weekly_growth=Decimal(growth))
    AudienceSegmentFactory(tenant=other_tenant, name="Rocket Fans", size=1_000_000, weekly_growth=Decimal("99.00"))


def ours(tenant):
    return list(AudienceSegment.objects.filter(tenant=tenant))


def grew(segment):
    return signed(segment.weekly_growth, "0.1", "%")


@pytest.mark.parametrize(
    "text", ["which segments are growing?", "which audiences are shrinking?", "what's our fastest growing audience?"]
)
def test_growing_and_shrinking_segments(ask, tenant, segments, text):
    ranked = sorted(ours(tenant), key=lambda s: (-s.weekly_growth, s.name))
    growing = [s for s in ranked if s.weekly_growth > 0][:3]
    shrinking = [s for s in reversed(ranked) if s.weekly_growth < 0][:3]

    assert ask(AUDIENCE, text).text.splitlines() == [
        "Fastest growing (last week):",
        *[f"{n}. {s.name} {grew(s)} ({s.size:,} people)" for n, s in enumerate(growing, 1)],
        "Shrinking: " + ", ".join(f"{s.name} {grew(s)}" for s in shrinking) + ".",
    ]


@pytest.mark.parametrize(
    "text, who",
    [
        ("create a segment for people who visited the pricing page", "people who visited the pricing page"),
        ("set up an audience of shoppers who abandoned a cart", "shoppers who abandoned a cart"),
        (
            "make an audience for subscribers who clicked the spring newsletter",
            "subscribers who clicked the spring newsletter",
        ),
    ],
)
def test_create_a_segment_for_people_who(ask, tenant, segments, text, who):
    [action] = ask(AUDIENCE, text).actions

    assert action.action_type == "create_audience"
    assert action.action_data == {"name": who[0].upper() + who[1:], "description": who, "based_on_segment_id": None}
    assert action.estimated_reach == round(median(s.size for s in ours(tenant)))


@pytest.mark.parametrize(
    "text, source, days, seed",
    [
        ("retarget people who abandoned their carts in the last 2 weeks", "cart_abandoners", 14, "Cart Abandoners"),
        (
            "set up a remarketing audience for website visitors over the past 60 days",
            "site_visitors",
            60,
            "Website Visitors",
        ),
        ("retarget our customers from the last quarter", "purchasers", 90, "Past Purchasers"),
        ("create a retargeting list of instagram followers", "engaged_social", 30, None),
    ],
)
def test_retargeting(ask, tenant, segments, text, source, days, seed):
    sizes = {s.name: s.size for s in ours(tenant)}
    base = sizes[seed] if seed else median(sizes.values())
    label = {
        "cart_abandoners": "Cart abandoners",
        "site_visitors": "Site visitors",
        "purchasers": "Purchasers",
        "engaged_social": "Social engagers",
    }[source]

    [action] = ask(AUDIENCE, text).actions

    assert action.action_type == "create_retargeting"
    assert action.action_data == {"name": f"{label}, last {days} days", "source": source, "lookback_days": days}
    assert action.estimated_reach == round(Decimal(base) * days / 30)


def test_a_lookalike_based_on_a_segment(ask, tenant, segments):
    campers = AudienceSegment.objects.get(tenant=tenant, name="Weekend Campers")

    [action] = ask(AUDIENCE, "make a lookalike audience based on Weekend Campers").actions

    assert action.action_data == {
        "name": "Lookalike of Weekend Campers",
        "description": f"Lookalike of Weekend Campers ({campers.size:,} people)",
        "based_on_segment_id": str(campers.id),
    }
    assert action.estimated_reach == campers.size * 3


def test_how_large_is_a_segment(ask, tenant, segments):
    ranked = sorted(ours(tenant), key=lambda s: (-s.weekly_growth, s.name))
    lapsed = next(s for s in ranked if s.name == "Lapsed Shoppers")

    assert ask(AUDIENCE, "how large is the Lapsed Shoppers segment?").text == (
        f"Lapsed Shoppers: {lapsed.size:,} people, {grew(lapsed)} last week "
        f"(#{ranked.index(lapsed) + 1} of {len(ranked)} by growth)."
    )


def test_which_audience_is_the_biggest(ask, tenant, segments):
    ranked = sorted(ours(tenant), key=lambda s: (-s.size, s.name))

    assert ask(AUDIENCE, "which audience is the biggest?").text == (
        f"Your {len(ranked)} audiences ({sum(s.size for s in ranked):,} people in all, largest first): "
        + ", ".join(f"{s.name} {s.size:,}" for s in ranked)
        + "."
    )
