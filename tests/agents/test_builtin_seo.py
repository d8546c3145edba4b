from datetime import timedelta

import pytest

from agents.actions import ActionType
from agents.models import KeywordRanking, TargetKeyword
from tests.agents.conftest import YESTERDAY, latest_rankings
from tests.factories import KeywordRankingFactory

pytestmark = pytest.mark.django_db

SEO = "seo"
URL = "https://acme.test"


def rank(tenant, keyword, position, previous, day=YESTERDAY, volume=1000, path="/"):
    return KeywordRankingFactory(
        tenant=tenant,
        keyword=keyword,
        position=position,
        previous_position=previous,
        date=day,
        search_volume=volume,
        url=URL + path,
    )


@pytest.fixture
def rankings(tenant, other_tenant):
    rank(tenant, "hiking boots", 8, 9, day=YESTERDAY - timedelta(days=1), volume=12100, path="/hiking-boots")
    rank(tenant, "hiking boots", 5, 8, volume=12100, path="/hiking-boots")
    rank(tenant, "trail running shoes", 15, 11, volume=9900)
    rank(tenant, "camping tents", 21, 21, volume=18100)
    rank(tenant, "fall hiking gear", 24, 31, day=YESTERDAY - timedelta(days=3), volume=1300)  # checked less often
    rank(tenant, "rain jacket", 19, 17, volume=14800)
    rank(tenant, "acme outdoor", 1, None, volume=2900)
    rank(tenant, "waterproof hiking boots", 11, 12, volume=4400)
    for keyword in ("hiking boots", "trail running shoes", "camping tents", "hiking socks"):
        TargetKeyword.objects.create(tenant=tenant, keyword=keyword)
    # Another tenant: a spectacular climber and a keyword we do not track.
    rank(other_tenant, "hiking boots", 1, 50, volume=1)
    rank(other_tenant, "kayaks", 2, 40, volume=33100)
    TargetKeyword.objects.create(tenant=other_tenant, keyword="rain jacket")


def move(row):
    gained = row.previous_position - row.position
    return f"{row.keyword} #{row.previous_position}→#{row.position} ({'+' if gained > 0 else ''}{gained})"


def test_gainers_and_losers_compare_each_keywords_latest_check_with_its_previous_position(ask, tenant, rankings):
    rows = latest_rankings(tenant)
    compared = [r for r in rows if r.previous_position is not None]
    gainers = sorted(
        (r for r in compared if r.position < r.previous_position), key=lambda r: r.position - r.previous_position
    )
    losers = sorted(
        (r for r in compared if r.position > r.previous_position), key=lambda r: r.previous_position - r.position
    )
    average = sum(r.position for r in rows) / len(rows)

    text = ask(SEO, "Which keywords gained or lost positions?").text

    assert f"{len(rows)} keywords, average position {average:.1f}." in text
    assert f"{len(gainers)} up, {len(losers)} down, {len(compared) - len(gainers) - len(losers)} unchanged" in text
    assert "Gained: " + ", ".join(move(r) for r in gainers[:3]) in text
    assert "Lost: " + ", ".join(move(r) for r in losers[:3]) in text
    assert (
        text.splitlines()[1]
        == "Gained: fall hiking gear #31→#24 (+7), hiking boots #8→#5 (+3), waterproof hiking boots #12→#11 (+1)"
    )
    assert "kayaks" not in text and "#50" not in text


def test_how_we_rank_for_a_keyword(ask, rankings):
    text = ask(SEO, "How do we rank for hiking boots?").text

    assert text == (
        "'hiking boots': #5 on 3 Jun (up 3 from #8). 12,100 searches/month. "
        "Page: https://acme.test/hiking-boots. Target keyword: yes."
    )


def test_a_keyword_without_our_rankings_is_said_so(ask, rankings):
    text = ask(SEO, "How do we rank for kayaks?").text

    assert text.startswith("I have no ranking data for 'kayaks'.")
    assert "#2" not in text and "33,100" not in text


def test_target_keywords_with_their_positions(ask, rankings):
    text = ask(SEO, "What are our target keywords?").text

    assert text == (
        "Target keywords (4): camping tents #21, hiking boots #5, hiking socks (not ranked yet), "
        "trail running shoes #15."
    )


@pytest.mark.parametrize(
    ("text", "keyword", "reach", "confidence"),
    [
        ("add 'waterproof hiking boots' as a target keyword", "waterproof hiking boots", 4400, 0.9),
        ("Track Fall Hiking Gear", "fall hiking gear", 1300, 0.8),
        ("please add trail shoes for women to our target keywords", "trail shoes for women", 0, 0.8),
        ("can you start tracking 'kayaks'", "kayaks", 0, 0.9),  # only another tenant has data for it
    ],
)
def test_add_a_target_keyword(ask, rankings, text, keyword, reach, confidence):
    reply = ask(SEO, text)

    [action] = reply.actions
    assert action.action_type == ActionType.ADD_TARGET_KEYWORD
    assert action.action_data == {"keyword": keyword}
    assert action.summary == f"Add '{keyword}' as a target keyword"
    assert (action.estimated_cost, action.estimated_reach, action.confidence) == (0, reach, confidence)


def test_adding_a_keyword_that_is_already_a_target_is_only_answered(ask, rankings):
    reply = ask(SEO, "add 'Hiking Boots' as a target keyword")

    assert reply.actions == []
    assert reply.text == "'hiking boots' is already a target keyword."


@pytest.mark.parametrize(
    ("text", "confidence"),
    [("stop tracking trail running shoes", 0.9), ("remove keyword 'trail runing shoes'", 0.7)],
)
def test_remove_a_target_keyword(ask, rankings, text, confidence):
    [action] = ask(SEO, text).actions

    assert action.action_type == ActionType.REMOVE_TARGET_KEYWORD
    assert action.action_data == {"keyword": "trail running shoes"}
    assert (action.estimated_cost, action.estimated_reach, action.confidence) == (0, 9900, confidence)


def test_removing_a_keyword_that_is_not_our_target_is_only_answered(ask, rankings):
    # "rain jacket" is tracked, and it is another tenant's target, but not ours.
    reply = ask(SEO, "drop keyword rain jacket")

    assert reply.actions == []
    assert reply.text.startswith("'rain jacket' isn't one of your target keywords.")


def test_questions_about_dropped_keywords_are_not_removals(ask, rankings):
    reply = ask(SEO, "Which keywords dropped?")

    assert reply.actions == []
    assert "Lost: trail running shoes #11→#15 (-4)" in reply.text


def test_the_engine_writes_nothing(ask, rankings):
    def snapshot():
        return list(
            TargetKeyword.objects.order_by("tenant", "keyword").values_list("keyword")
        ), KeywordRanking.objects.count()

    before = snapshot()
    for text in (
        "add 'waterproof hiking boots' as a target keyword",
        "stop tracking hiking boots",
        "What are our targets?",
    ):
        ask(SEO, text)
    assert snapshot() == before


@pytest.mark.parametrize("text", ["hi there", "bake me a cake"])
def test_greetings_and_unknown_messages_list_what_the_agent_can_do(ask, text):
    reply = ask(SEO, text)

    assert reply.actions == []
    assert "- How do we rank for hiking boots?" in reply.text
    assert 3 <= reply.text.count("\n- ") <= 5
