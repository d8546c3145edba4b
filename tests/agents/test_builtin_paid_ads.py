from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine

from agents.actions import ActionType
from agents.models import Campaign, CampaignDailyStat
from conversations.normalized import InboundMessage
from tests.agents.conftest import CURRENT_WEEK, NOW, PREVIOUS_WEEK, TODAY
from tests.factories import CampaignDailyStatFactory, CampaignFactory
from tests.pipeline import exchange

pytestmark = pytest.mark.django_db

PAID_ADS = "paid_ads"


def _r(value, places="1"):
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def _sign(value, suffix):
    return f"{'+' if value > 0 else ''}{value}{suffix}"


def add_week(campaign, days, spend, impressions, clicks, conversions, revenue):
    for day in days:
        CampaignDailyStatFactory(
            campaign=campaign,
            date=day,
            spend=Decimal(spend),
            impressions=impressions,
            clicks=clicks,
            conversions=conversions,
            revenue=Decimal(revenue),
        )


def week_totals(campaign, days):
    stats = CampaignDailyStat.objects.filter(campaign=campaign, date__in=days)
    return {
        "spend": sum(s.spend for s in stats),
        "impressions": sum(s.impressions for s in stats),
        "clicks": sum(s.clicks for s in stats),
        "conversions": sum(s.conversions for s in stats),
        "revenue": sum(s.revenue for s in stats),
    }


@pytest.fixture
def summer(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    add_week(campaign, CURRENT_WEEK, "500.00", 20000, 400, 10, "1700.00")
    add_week(campaign, PREVIOUS_WEEK, "420.00", 20000, 360, 7, "1200.00")
    # Outside both windows: today's partial day and a day three weeks ago.
    add_week(campaign, [TODAY, TODAY - timedelta(days=21)], "9999.00", 1, 1, 1, "1.00")
    return campaign


@pytest.fixture
def brand(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Brand Search", platform="google", daily_budget=Decimal("200.00"))
    add_week(campaign, CURRENT_WEEK, "200.00", 5000, 450, 12, "1500.00")
    add_week(campaign, PREVIOUS_WEEK, "200.00", 5000, 400, 10, "1400.00")
    return campaign


@pytest.fixture
def spring(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Spring Clearance", status="paused", daily_budget=Decimal("250.00"))
    add_week(campaign, PREVIOUS_WEEK, "250.00", 25000, 300, 5, "500.00")
    return campaign


@pytest.fixture
def outsider_campaign(other_tenant):
    """Another tenant's campaign with a name ours does not have, and huge numbers."""
    campaign = CampaignFactory(tenant=other_tenant, name="Winter Promo", daily_budget=Decimal("900.00"))
    add_week(campaign, CURRENT_WEEK, "9000.00", 900000, 90000, 900, "90000.00")
    return campaign


def test_campaign_report_compares_the_last_7_days_with_the_7_before(ask, summer, outsider_campaign):
    current, previous = week_totals(summer, CURRENT_WEEK), week_totals(summer, PREVIOUS_WEEK)
    ctr = [Decimal(t["clicks"]) / t["impressions"] * 100 for t in (current, previous)]
    cpa = [t["spend"] / t["conversions"] for t in (current, previous)]
    roas = [t["revenue"] / t["spend"] for t in (current, previous)]
    spend_change = _r((current["spend"] - previous["spend"]) / previous["spend"] * 100)
    expected = (
        f"Summer Sale, last 7 days: spend ${_r(current['spend']):,} ({_sign(spend_change, '%')}), "
        f"CTR {_r(ctr[0], '0.1')}% ({_sign(_r(ctr[0] - ctr[1], '0.1'), ' pt')}), "
        f"CPA ${_r(cpa[0], '0.01')} ({_sign(_r((cpa[0] - cpa[1]) / cpa[1] * 100), '%')}), "
        f"ROAS {_r(roas[0], '0.1')}x ({_sign(_r(roas[0] - roas[1], '0.1'), 'x')})"
    )
    # Worked by hand: 3,500 vs 2,940 spend; 2.0% vs 1.8% CTR; $50 vs $60 CPA; 3.4x vs 2.857x ROAS.
    assert (
        expected
        == "Summer Sale, last 7 days: spend $3,500 (+19%), CTR 2.0% (+0.2 pt), CPA $50.00 (-17%), ROAS 3.4x (+0.5x)"
    )

    reply = ask(PAID_ADS, "How is my Summer Sale campaign doing?")

    assert expected in reply.text
    assert f"{current['conversions']} conversions" in reply.text
    assert reply.actions == []


@pytest.mark.parametrize(
    "text", ["how's summer sale doing", "How is the SUMMER SALE campaign performing?", "sumer sale stats"]
)
def test_campaign_names_match_loosely(ask, summer, text):
    assert "Summer Sale, last 7 days: spend $3,500" in ask(PAID_ADS, text).text


def test_zero_divisions_read_n_a(ask, tenant):
    campaign = CampaignFactory(tenant=tenant, name="Fresh Launch")
    add_week(campaign, CURRENT_WEEK, "100.00", 1000, 10, 0, "0.00")  # nothing the week before, no conversions

    text = ask(PAID_ADS, "How is Fresh Launch doing?").text

    assert "spend $700.00 (n/a)" in text
    assert "CTR 1.0% (n/a)" in text
    assert "CPA n/a (n/a)" in text
    assert "ROAS 0.0x (n/a)" in text


def test_the_last_7_days_follow_the_tenant_clock(ask, summer):
    CampaignDailyStat.objects.filter(campaign=summer, date=TODAY).update(spend=Decimal("800.00"))
    stats = CampaignDailyStat.objects.filter(campaign=summer, date__range=(CURRENT_WEEK[5], TODAY))
    expected_spend = sum(s.spend for s in stats)
    assert expected_spend == Decimal("3800.00")

    # 23:30 UTC on 4 June is already 5 June in Paris, so 4 June becomes part of "the last 7 days".
    with time_machine.travel(NOW.replace(hour=23, minute=30), tick=False):
        text = ask(PAID_ADS, "How is Summer Sale doing?").text

    assert f"spend ${_r(expected_spend):,}" in text


def test_overview_totals_all_campaigns_and_names_best_and_worst(ask, summer, brand, spring, outsider_campaign):
    spend = sum(week_totals(c, CURRENT_WEEK)["spend"] for c in (summer, brand, spring))
    revenue = sum(week_totals(c, CURRENT_WEEK)["revenue"] for c in (summer, brand, spring))
    brand_roas = _r(week_totals(brand, CURRENT_WEEK)["revenue"] / week_totals(brand, CURRENT_WEEK)["spend"], "0.1")

    text = ask(PAID_ADS, "How are my campaigns doing?").text

    assert f"All campaigns, last 7 days: spend ${_r(spend):,}" in text
    assert f"ROAS {_r(revenue / spend, '0.1')}x" in text
    assert f"Best ROAS: Brand Search {brand_roas}x. Worst: Summer Sale 3.4x." in text
    assert "3 campaigns, 2 active." in text
    assert "Winter Promo" not in text


def test_ranking_orders_campaigns_by_roas(ask, summer, brand, spring, outsider_campaign):
    text = ask(PAID_ADS, "Rank my campaigns").text

    lines = text.splitlines()
    assert lines[0] == "Best: Brand Search (7.5x ROAS). Worst: Summer Sale (3.4x)."
    assert lines[2].startswith("1. Brand Search 7.5x") and lines[3].startswith("2. Summer Sale 3.4x")
    assert "No spend: Spring Clearance." in text
    assert "Winter Promo" not in text


def _by(metric, campaigns):
    """Each campaign's value of `metric` over the last 7 days, computed here from the rows."""
    values = {}
    for campaign in campaigns:
        t = week_totals(campaign, CURRENT_WEEK)
        values[campaign.name] = {
            "cpa": t["spend"] / t["conversions"],
            "roas": t["revenue"] / t["spend"],
            "ctr": Decimal(t["clicks"]) / t["impressions"] * 100,
            "spend": t["spend"],
        }[metric]
    return values


@pytest.mark.parametrize(
    "question, metric, pick, word",
    [
        ("Which campaign is performing worst?", "cpa", max, "worst"),  # no metric named: CPA
        ("which campaign has the worst CPA?", "cpa", max, "worst"),
        ("What's our best campaign by cost per acquisition?", "cpa", min, "best"),
        ("Which campaign has the worst ROAS?", "roas", min, "worst"),
        ("which one has the best return on ad spend", "roas", max, "best"),
        ("Which campaign has the highest CTR?", "ctr", max, "highest"),
        ("which campaign has the lowest click-through rate", "ctr", min, "lowest"),
        ("Which campaign spent the most?", "spend", max, "most"),
    ],
)
def test_superlatives_are_answered_by_the_metric_named(ask, summer, brand, spring, question, metric, pick, word):
    values = _by(metric, [summer, brand])
    expected = pick(values, key=values.get)
    text = ask(PAID_ADS, question).text
    assert text.startswith(f"{expected} has the {word} ")
    assert text.index(f"1. {expected}") < text.index(f"2. {({'Summer Sale', 'Brand Search'} - {expected}).pop()}")


@pytest.mark.parametrize(
    ("question", "start", "measure"),
    [
        ("what's our best performing campaign?", "Brand Search has the best CPA", "By CPA:"),
        ("¿cuál es la campaña que mejor funciona?", "Brand Search tiene el CPA mejor", "Por CPA:"),
        ("which campaign is doing worst?", "Summer Sale has the worst CPA", "By CPA:"),
        ("¿qué campaña va peor?", "Summer Sale tiene el CPA peor", "Por CPA:"),
        ("¿cuál es la campaña que peor rinde?", "Summer Sale tiene el CPA peor", "Por CPA:"),
    ],
)
def test_the_same_question_ranks_by_the_same_measure_in_both_languages(
    ask, summer, brand, spring, question, start, measure
):
    """Issue 50: "what's our best performing campaign?" ranked by CPA in English and by ROAS in Spanish."""
    text = ask(PAID_ADS, question).text
    assert text.startswith(start) and measure in text, text


def test_it_refers_to_the_campaign_the_last_answer_was_about(ask, summer, brand):
    report = ask(PAID_ADS, "How is Brand Search doing?").text
    worst = ask(PAID_ADS, "which campaign has the worst CPA?").text
    history = [("user", "How is Brand Search doing?"), ("assistant", report)]
    history += [("user", "which campaign has the worst CPA?"), ("assistant", worst)]
    values = _by("cpa", [summer, brand])
    [action] = ask(PAID_ADS, "pause it", history=history).actions
    assert action.action_type == ActionType.PAUSE_CAMPAIGN
    assert action.action_data["campaign_name"] == max(values, key=values.get) == "Summer Sale"


@pytest.mark.parametrize(
    "request_text, metric, pick, new_budget",
    [
        ("cut the budget of our worst campaign in half", "cpa", max, lambda c: c.daily_budget / 2),
        ("halve the budget of the worst campaign", "cpa", max, lambda c: c.daily_budget / 2),
        ("double the budget of the campaign with the best ROAS", "roas", max, lambda c: c.daily_budget * 2),
        ("raise the budget of our best campaign to $300 a day", "cpa", min, lambda c: Decimal("300")),
    ],
)
def test_actions_on_a_superlative_find_their_campaign_from_the_data(
    ask, summer, brand, request_text, metric, pick, new_budget
):
    values = _by(metric, [summer, brand])
    campaign = {"Summer Sale": summer, "Brand Search": brand}[pick(values, key=values.get)]
    [action] = ask(PAID_ADS, request_text).actions
    assert action.action_data["campaign_id"] == str(campaign.id)
    assert Decimal(action.action_data["daily_budget"]) == new_budget(campaign).quantize(Decimal("0.01"))


def test_pausing_the_campaign_that_spends_most(ask, summer, brand):
    values = _by("spend", [summer, brand])
    [action] = ask(PAID_ADS, "pause the campaign with the highest spend").actions
    assert action.action_data["campaign_name"] == max(values, key=values.get)


@pytest.mark.parametrize("text", ["What can you do?", "help", "How can you help me?", "what can I ask you"])
def test_what_can_you_do_gets_the_agents_capabilities(ask, summer, text):
    reply = ask(PAID_ADS, text).text
    assert reply.startswith("I'm your Paid Ads agent: I answer from your own data")
    assert "Sorry" not in reply and "Raise the Summer Sale budget to $700 a day" in reply


def test_raise_budget_to_an_amount(ask, summer):
    current = week_totals(summer, CURRENT_WEEK)
    per_dollar = Decimal(current["impressions"]) / current["spend"]

    reply = ask(PAID_ADS, "Raise the Summer Sale budget to $700 a day")

    [action] = reply.actions
    assert action.action_type == ActionType.SET_BUDGET
    assert action.action_data == {
        "campaign_id": str(summer.id),
        "campaign_name": "Summer Sale",
        "daily_budget": "700.00",
        "previous_daily_budget": "500.00",
    }
    assert action.summary == "Raise Summer Sale daily budget from $500.00 to $700.00"
    assert action.estimated_cost == Decimal("6000.00")
    assert action.estimated_reach == int(_r(200 * 30 * per_dollar))
    assert action.confidence == 0.9
    assert "Raise Summer Sale daily budget from $500.00 to $700.00" in reply.text


@pytest.mark.parametrize(
    ("text", "new_budget", "cost"),
    [
        ("set the budget for Summer Sale to 650", "650.00", "4500.00"),
        ("set summer sale budget to $1,200.50", "1200.50", "21015.00"),
        ("increase Summer Sale budget by 20%", "600.00", "3000.00"),
        ("cut the Summer Sale budget by $100", "400.00", "0.00"),
        ("lower Summer Sale's budget by 10 percent", "450.00", "0.00"),
        ("add $50 to the summer sale budget", "550.00", "1500.00"),
        ("make the Summer Sale budget $525.50", "525.50", "765.00"),
    ],
)
def test_budget_phrasings(ask, summer, text, new_budget, cost):
    [action] = ask(PAID_ADS, text).actions

    assert action.action_data["daily_budget"] == new_budget
    assert action.action_data["previous_daily_budget"] == "500.00"
    assert action.estimated_cost == Decimal(cost)
    if Decimal(new_budget) < summer.daily_budget:
        assert action.estimated_reach == 0
        assert action.summary.startswith("Lower Summer Sale daily budget")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("raise the Summer Sale budget to $400 a day", "to raise it to $400.00 would lower it"),
        ("sube Summer Sale a 400 al día", "subirlo a 400,00 US$ lo bajaría"),
        ("lower the Summer Sale budget to $650", "to lower it to $650.00 would raise it"),
        ("baja Summer Sale a 650 al día", "bajarlo a 650,00 US$ lo subiría"),
    ],
)
def test_raise_to_less_than_today_or_lower_to_more_asks_back_instead_of_proposing_the_opposite(
    ask, summer, text, asked
):
    """Issue 50: "sube brand search a 400 al día" with the budget at 450 became a proposal to lower it."""
    reply = ask(PAID_ADS, text)

    assert reply.actions == []
    assert asked in reply.text and ("$500.00" in reply.text or "500,00 US$" in reply.text), reply.text


def test_a_fuzzy_name_lowers_confidence(ask, summer):
    [action] = ask(PAID_ADS, "bump the sumer sael budget to 550").actions

    assert action.action_data["campaign_id"] == str(summer.id)
    assert action.confidence == 0.7


def test_a_budget_that_is_not_positive_is_refused(ask, summer):
    reply = ask(PAID_ADS, "cut the Summer Sale budget by $600")

    assert reply.actions == []
    assert "more than $0" in reply.text and "-$100.00" in reply.text


@pytest.mark.parametrize("text", ["set the Summer Sale budget to 500", "set the Summer Sale budget to $3000 a month"])
def test_budgets_that_change_nothing_or_are_not_daily_are_not_proposed(ask, summer, text):
    assert ask(PAID_ADS, text).actions == []


@pytest.mark.parametrize(
    "text", ["pause the Summer Sale campaign", "hey, pause summer sale", "Please stop Summer Sale!"]
)
def test_pause_an_active_campaign(ask, summer, text):
    reply = ask(PAID_ADS, text)

    [action] = reply.actions
    assert action.action_type == ActionType.PAUSE_CAMPAIGN
    assert action.action_data == {"campaign_id": str(summer.id), "campaign_name": "Summer Sale"}
    assert action.summary == "Pause Summer Sale"
    assert (action.estimated_cost, action.estimated_reach, action.confidence) == (0, 0, 0.9)


def test_pause_a_paused_campaign_is_only_answered(ask, spring):
    reply = ask(PAID_ADS, "pause Spring Clearance")

    assert reply.actions == []
    assert "already paused" in reply.text


@pytest.mark.parametrize(
    "text", ["resume Spring Clearance", "turn the Spring Clearance campaign back on", "restart spring clearance"]
)
def test_resume_a_paused_campaign(ask, spring, text):
    # Paused, so no spend last week: reach uses its most recent days with spend.
    history = week_totals(spring, PREVIOUS_WEEK)
    per_dollar = Decimal(history["impressions"]) / history["spend"]

    [action] = ask(PAID_ADS, text).actions

    assert action.action_type == ActionType.RESUME_CAMPAIGN
    assert action.action_data == {"campaign_id": str(spring.id), "campaign_name": "Spring Clearance"}
    assert action.estimated_cost == Decimal("7500.00")
    assert action.estimated_reach == int(_r(250 * 30 * per_dollar))


def test_resume_an_active_campaign_is_only_answered(ask, summer):
    reply = ask(PAID_ADS, "resume Summer Sale")

    assert reply.actions == []
    assert "already running" in reply.text


def test_it_refers_to_the_campaign_named_earlier(ask, summer, brand):
    reply = ask(
        PAID_ADS, "ok pause it", history=[("user", "How is Brand Search doing?"), ("assistant", "Summer Sale ...")]
    )

    [action] = reply.actions
    assert action.action_data["campaign_id"] == str(brand.id)
    assert action.confidence == 0.7


def test_an_unknown_campaign_lists_the_tenants_campaigns(ask, summer, brand, outsider_campaign):
    for text in (
        "pause the Winter Promo campaign",
        "How is Winter Promo doing?",
        "raise the Winter Promo budget to 900",
    ):
        reply = ask(PAID_ADS, text)

        assert reply.text == "I can't find a campaign called Winter Promo. Your campaigns: Brand Search, Summer Sale."
        assert reply.actions == []


def test_another_tenants_numbers_never_count(ask, tenant, other_tenant):
    ours = CampaignFactory(tenant=tenant, name="Summer Sale")
    add_week(ours, CURRENT_WEEK, "100.00", 1000, 10, 1, "300.00")
    theirs = CampaignFactory(tenant=other_tenant, name="Summer Sale")
    add_week(theirs, CURRENT_WEEK, "5000.00", 99999, 999, 99, "1.00")

    assert "spend $700.00" in ask(PAID_ADS, "How is Summer Sale doing?").text
    assert "spend $700.00" in ask(PAID_ADS, "How are my campaigns doing?").text
    [action] = ask(PAID_ADS, "pause Summer Sale").actions
    assert action.action_data["campaign_id"] == str(ours.id)


def test_the_engine_writes_nothing(ask, summer, spring):
    def snapshot():
        return (
            list(Campaign.objects.order_by("name").values_list("name", "status", "daily_budget", "updated_at")),
            list(CampaignDailyStat.objects.order_by("campaign__name", "date").values_list("date", "spend", "clicks")),
        )

    before = snapshot()
    for text in (
        "Raise the Summer Sale budget to $700",
        "pause Summer Sale",
        "resume Spring Clearance",
        "How is Summer Sale doing?",
    ):
        ask(PAID_ADS, text)
    assert snapshot() == before


def test_long_rankings_stay_short(ask, tenant):
    for n in range(40):
        campaign = CampaignFactory(tenant=tenant, name=f"Campaign with a rather long descriptive name number {n}")
        add_week(campaign, CURRENT_WEEK[:1], "100.00", 1000, 10, 1, f"{100 + n}.00")

    for text in ("Which campaign is best?", "How are my campaigns doing?", "pause the Nonexistent One campaign"):
        assert len(ask(PAID_ADS, text).text) <= 1000


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("hello", "Hi! I'm your Paid Ads agent."),
        ("Good morning team!", "Hi! I'm your Paid Ads agent."),
        ("thanks a lot", "You're welcome!"),
        ("what's the weather like?", "Sorry, I didn't get that."),
        ("banana", "Sorry, I didn't get that."),
    ],
)
def test_greetings_and_unknown_messages_list_what_the_agent_can_do(ask, text, opening):
    reply = ask(PAID_ADS, text)

    assert reply.actions == []
    assert reply.text.startswith(f"{opening}\nYou can ask me, for example:")
    assert "- How is my Summer Sale campaign doing?" in reply.text
    assert 3 <= reply.text.count("\n- ") <= 5


def test_an_amount_above_the_gateways_limit_is_explained_once_without_a_proposal(summer, colleague, settings):
    settings.GATEWAY_MAX_DAILY_BUDGET = 50_000
    asked = InboundMessage(channel="chat", text="Raise the Summer Sale budget to $60,000 a day", user_id=colleague.pk)
    result = exchange(asked)
    assert [a.status for a in result.actions] == ["refused"]
    assert result.reply.text == (
        "I can't propose “Raise Summer Sale daily budget from $500.00 to $60,000.00”: "
        "a daily budget above $50,000 needs to be set by hand."
    )


@pytest.mark.parametrize(
    "request_text, metric, pick, action_type, new_budget",
    [
        ("pause our worst campaign", "cpa", max, "pause_campaign", None),
        ("stop the campaign with the lowest ROAS", "roas", min, "pause_campaign", None),
        ("turn off the campaign with the lowest click-through rate", "ctr", min, "pause_campaign", None),
        ("pause the best campaign by ROAS", "roas", max, "pause_campaign", None),
        ("lower the budget of the campaign that spent the most by 10%", "spend", max, "set_budget", "0.9"),
        ("raise the budget of the top campaign by 20%", "cpa", min, "set_budget", "1.2"),
        ("cut the budget of the campaign with the worst CTR by 20%", "ctr", min, "set_budget", "0.8"),
    ],
)
def test_more_superlative_requests(ask, summer, brand, request_text, metric, pick, action_type, new_budget):
    values = _by(metric, [summer, brand])
    campaign = {"Summer Sale": summer, "Brand Search": brand}[pick(values, key=values.get)]
    [action] = ask(PAID_ADS, request_text).actions
    assert (action.action_type, action.action_data["campaign_id"]) == (action_type, str(campaign.id))
    if new_budget:
        expected = (campaign.daily_budget * Decimal(new_budget)).quantize(Decimal("0.01"))
        assert Decimal(action.action_data["daily_budget"]) == expected


@pytest.mark.parametrize("text", ["capabilities?", "What could you do for me?"])
def test_more_ways_to_ask_what_it_does(ask, summer, text):
    assert ask(PAID_ADS, text).text.startswith("I'm your Paid Ads agent: I answer from your own data")
