from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command

from agents.engines.builtin import audience, content, paid_ads, seo
from agents.engines.builtin.examples import examples
from agents.models import AudienceSegment, Campaign, CampaignDailyStat, ContentPiece, KeywordRanking, TargetKeyword
from tenants.models import Tenant, User
from tests.agents.conftest import NOW, run_engine

pytestmark = pytest.mark.django_db

# NOW is 05:00 on 4 June in Los Angeles, the demo tenant's zone: the 30 days end on 3 June.
YESTERDAY = date(2025, 6, 3)
MODELS = (Campaign, CampaignDailyStat, KeywordRanking, TargetKeyword, ContentPiece, AudienceSegment)


def seed(capsys, when=NOW):
    with time_machine.travel(when, tick=False):
        call_command("seed_demo")
    return capsys.readouterr().out


def snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


@pytest.fixture
def demo(capsys, frozen_now):
    seed(capsys)
    return Tenant.objects.get(slug="acme-outdoor")


def roas(campaign, last_day):
    stats = CampaignDailyStat.objects.filter(campaign=campaign, date__range=(last_day - timedelta(days=6), last_day))
    spend = sum(s.spend for s in stats)
    return sum(s.revenue for s in stats) / spend if spend else None


def test_campaigns_have_30_days_of_varied_stats_ending_yesterday(demo):
    campaigns = {c.name: c for c in Campaign.objects.for_tenant(demo)}
    assert 5 <= len(campaigns) <= 6
    summer = campaigns["Summer Sale"]
    assert (summer.platform, summer.status, str(summer.daily_budget)) == ("meta", "active", "500.00")
    assert campaigns["Fall Hiking Boots"].platform == campaigns["Brand Search"].platform == "google"
    assert any(c.status == "paused" for c in campaigns.values())
    assert any("retargeting" in name.lower() for name in campaigns)

    expected_days = [YESTERDAY - timedelta(days=n) for n in range(29, -1, -1)]
    for campaign in campaigns.values():
        stats = list(CampaignDailyStat.objects.for_tenant(demo).filter(campaign=campaign).order_by("date"))
        assert [s.date for s in stats] == expected_days
        assert all(s.clicks <= s.impressions and s.conversions <= s.clicks for s in stats)

    active_spend = [s.spend for s in CampaignDailyStat.objects.filter(campaign=summer)]
    assert len(set(active_spend)) > 20  # noisy, not flat
    changes = {
        name: roas(c, YESTERDAY) / roas(c, YESTERDAY - timedelta(days=7))
        for name, c in campaigns.items()
        if roas(c, YESTERDAY)
    }
    assert any(change > 1 for change in changes.values()) and any(change < 0.9 for change in changes.values())
    paused = next(c for c in campaigns.values() if c.status == "paused")
    assert roas(paused, YESTERDAY) is None  # no delivery since it was paused


def test_keywords_content_and_audiences(demo):
    keywords = sorted(set(KeywordRanking.objects.for_tenant(demo).values_list("keyword", flat=True)))
    assert 8 <= len(keywords) <= 12
    for keyword in keywords:
        rows = list(KeywordRanking.objects.for_tenant(demo).filter(keyword=keyword).order_by("date"))
        assert len(rows) == 30 and rows[-1].date == YESTERDAY
        assert all(later.previous_position == earlier.position for earlier, later in zip(rows, rows[1:], strict=False))
    targets = set(TargetKeyword.objects.for_tenant(demo).values_list("keyword", flat=True))
    assert targets < set(keywords) and len(targets) > len(keywords) / 2

    pieces = list(ContentPiece.objects.for_tenant(demo))
    assert 10 <= len(pieces) <= 14
    assert len({p.channel for p in pieces}) >= 4
    assert ContentPiece.objects.get(tenant=demo, title="Fall Gear Guide").status == "draft"
    scheduled = [p for p in pieces if p.status == "scheduled"]
    assert len(scheduled) >= 2 and all(p.scheduled_for > NOW for p in scheduled)
    assert all(p.views > p.engagement > 0 for p in pieces if p.status == "published")

    segments = {s.name: s for s in AudienceSegment.objects.for_tenant(demo)}
    assert {"Trail Runners", "Cart Abandoners"} <= set(segments) and len(segments) >= 5
    assert len({s.weekly_growth for s in segments.values()}) == len(segments)
    assert any(s.weekly_growth < 0 for s in segments.values())


def test_seeding_again_the_same_day_changes_nothing(demo, capsys):
    before = snapshot()

    out = seed(capsys, NOW + timedelta(hours=3))

    assert snapshot() == before
    assert "  created  " not in out
    assert "  exists   6 campaigns" in out and "  exists   180 campaign daily stats" in out


def test_the_first_run_reports_each_group_once(capsys, frozen_now):
    out = seed(capsys)

    for group in (
        "campaigns",
        "campaign daily stats",
        "keyword rankings",
        "target keywords",
        "content pieces",
        "audience segments",
    ):
        assert len([line for line in out.splitlines() if line.startswith("  created  ") and f" {group}" in line]) == 1


def test_seeding_the_next_day_adds_that_day_and_keeps_the_rest(demo, capsys):
    before = snapshot()

    out = seed(capsys, NOW + timedelta(days=1))

    after = snapshot()
    for model in ("Campaign", "TargetKeyword", "ContentPiece", "AudienceSegment"):
        assert after[model] == before[model]
    for model in ("CampaignDailyStat", "KeywordRanking"):
        old = {row["id"]: row for row in before[model]}
        assert all(row == old[row["id"]] for row in after[model] if row["id"] in old)
    assert len(after["CampaignDailyStat"]) == len(before["CampaignDailyStat"]) + 6
    assert "  created  6 campaign daily stats, 2025-05-06 to 2025-06-04 (174 already there)" in out
    for keyword in ("hiking boots", "rain jacket"):
        newest, previous = KeywordRanking.objects.filter(tenant=demo, keyword=keyword).order_by("-date")[:2]
        assert newest.date == YESTERDAY + timedelta(days=1)
        assert newest.previous_position == previous.position


@pytest.mark.parametrize("module", [paid_ads, seo, content, audience], ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_example_phrasing_works_on_the_demo_data(demo, module):
    admin = User.objects.get(email="admin@acme.test")
    agent_type = {paid_ads: "paid_ads", seo: "seo", content: "content", audience: "audience"}[module]

    for example in examples(agent_type, demo):
        reply = run_engine(admin, agent_type, example)
        assert not reply.text.startswith("Sorry, I didn't get that"), example
        assert not reply.text.startswith("I can't find"), example


def test_demo_answers_and_proposals(demo):
    admin = User.objects.get(email="admin@acme.test")
    summer = Campaign.objects.get(tenant=demo, name="Summer Sale")

    assert run_engine(admin, "paid_ads", "How is my Summer Sale campaign doing?").text.startswith(
        "Summer Sale, last 7 days: spend $"
    )
    [budget] = run_engine(admin, "paid_ads", "Raise the Summer Sale budget to $700 a day").actions
    assert budget.action_data["campaign_id"] == str(summer.id) and budget.estimated_reach > 0
    [keyword] = run_engine(admin, "seo", "add 'waterproof hiking boots' as a target keyword").actions
    assert keyword.estimated_reach == 4400
    [publish] = run_engine(admin, "content", "publish 'Fall Gear Guide'").actions
    assert publish.estimated_reach > 0
    [retarget] = run_engine(
        admin, "audience", "create a retargeting audience of cart abandoners from the last 30 days"
    ).actions
    assert retarget.estimated_reach == AudienceSegment.objects.get(tenant=demo, name="Cart Abandoners").size
