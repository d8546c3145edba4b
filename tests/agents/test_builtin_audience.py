from decimal import Decimal
from statistics import median

import pytest

from agents.action_specs.audiences import RETARGETING_SOURCES
from agents.actions import ActionType
from agents.engines.builtin.audience import SOURCES
from agents.models import AudienceSegment
from tests.factories import AudienceSegmentFactory

pytestmark = pytest.mark.django_db

AUDIENCE = "audience"
OURS = [
    ("Trail Runners", 48200, "12.40"),
    ("Cart Abandoners", 6350, "4.10"),
    ("Weekend Campers", 31800, "6.80"),
    ("Past Purchasers", 22400, "1.90"),
    ("Lapsed Shoppers", 9700, "-3.20"),
    ("Instagram Engagers", 27300, "8.90"),
]


@pytest.fixture
def segments(tenant, other_tenant):
    made = {
        name: AudienceSegmentFactory(
            tenant=tenant, name=name, size=size, weekly_growth=Decimal(growth), description=f"About {name}."
        )
        for name, size, growth in OURS
    }
    AudienceSegmentFactory(tenant=other_tenant, name="Rocket Fans", size=1_000_000, weekly_growth=Decimal("99.00"))
    AudienceSegmentFactory(tenant=other_tenant, name="Trail Runners", size=5, weekly_growth=Decimal("50.00"))
    return made


def growth(value):
    return f"{'+' if value > 0 else ''}{value.quantize(Decimal('0.1'))}%"


def test_fastest_growing_and_shrinking_audiences(ask, tenant, segments):
    ranked = sorted(AudienceSegment.objects.filter(tenant=tenant), key=lambda s: -s.weekly_growth)
    shrinking = [s for s in reversed(ranked) if s.weekly_growth < 0]

    text = ask(AUDIENCE, "Which audiences are growing fastest?").text

    expected = [f"{i}. {s.name} {growth(s.weekly_growth)} ({s.size:,} people)" for i, s in enumerate(ranked[:3], 1)]
    assert text.splitlines()[1:4] == expected
    assert (
        text.splitlines()[4]
        == "Shrinking: " + ", ".join(f"{s.name} {growth(s.weekly_growth)}" for s in shrinking) + "."
    )
    assert "Rocket Fans" not in text and "50.0" not in text


def test_how_big_is_an_audience(ask, segments):
    text = ask(AUDIENCE, "How big is the Trail Runners audience?").text

    assert text == "Trail Runners: 48,200 people, +12.4% last week (#1 of 6 by growth). About Trail Runners."


def test_an_unknown_audience_lists_ours(ask, segments):
    text = ask(AUDIENCE, "How big is the Rocket Fans audience?").text

    assert text.startswith("I can't find an audience called 'Rocket Fans'. Your audiences: Cart Abandoners,")
    assert "1,000,000" not in text


def test_retargeting_sources_cover_the_catalogue():
    assert set(SOURCES) == set(RETARGETING_SOURCES)


def test_create_a_retargeting_audience_of_cart_abandoners(ask, segments):
    reply = ask(AUDIENCE, "create a retargeting audience of cart abandoners from the last 30 days")

    [action] = reply.actions
    assert action.action_type == ActionType.CREATE_RETARGETING
    assert action.action_data == {
        "name": "Cart abandoners, last 30 days",
        "source": "cart_abandoners",
        "lookback_days": 30,
    }
    assert action.summary == "Create retargeting audience 'Cart abandoners, last 30 days'"
    assert action.estimated_cost == 0
    assert action.estimated_reach == segments["Cart Abandoners"].size
    assert action.confidence == 0.85


@pytest.mark.parametrize(
    ("text", "name", "source", "days", "reach_of"),
    [
        ("retarget site visitors from the past 2 weeks", "Site visitors, last 14 days", "site_visitors", 14, None),
        (
            "create a retargeting audience of purchasers from the last 90 days",
            "Purchasers, last 90 days",
            "purchasers",
            90,
            "Past Purchasers",
        ),
        (
            "create a retargeting audience called 'Insta 60' of people who engaged on social in the last 60 days",
            "Insta 60",
            "engaged_social",
            60,
            "Instagram Engagers",
        ),
        (
            "please set up retargeting for cart abandoners",
            "Cart abandoners, last 30 days",
            "cart_abandoners",
            30,
            "Cart Abandoners",
        ),
    ],
)
def test_retargeting_phrasings(ask, segments, text, name, source, days, reach_of):
    base = segments[reach_of].size if reach_of else median(size for _, size, _ in OURS)

    [action] = ask(AUDIENCE, text).actions

    assert action.action_data == {"name": name, "source": source, "lookback_days": days}
    assert action.estimated_reach == round(Decimal(base) * days / 30)


@pytest.mark.parametrize(("text", "asked"), [("last 365 days", 365), ("last 0 days", 0), ("past 7 months", 210)])
def test_a_look_back_window_out_of_range_is_refused(ask, segments, text, asked):
    reply = ask(AUDIENCE, f"create a retargeting audience of site visitors from the {text}")

    assert reply.actions == []
    assert reply.text == f"The look-back window must be 1 to 180 days ({asked} asked)."


def test_a_retargeting_audience_needs_a_source(ask, segments):
    reply = ask(AUDIENCE, "create a retargeting audience of aliens")

    assert reply.actions == []
    assert reply.text.startswith("Who should it target?")


def test_create_an_audience_like_another(ask, segments):
    trail = segments["Trail Runners"]

    reply = ask(AUDIENCE, "create an audience called 'Alpine Hikers' like 'Trail Runners'")

    [action] = reply.actions
    assert action.action_type == ActionType.CREATE_AUDIENCE
    assert action.action_data == {
        "name": "Alpine Hikers",
        "description": "Lookalike of Trail Runners (48,200 people)",
        "based_on_segment_id": str(trail.id),
    }
    assert action.summary == "Create audience 'Alpine Hikers' (lookalike of Trail Runners)"
    assert (action.estimated_cost, action.estimated_reach, action.confidence) == (0, trail.size * 3, 0.9)


@pytest.mark.parametrize(
    ("text", "basis", "confidence"),
    [
        ("create a lookalike of Trail Runners", "Trail Runners", 0.9),
        ("I'd like to create a lookalike of Weekend Campers", "Weekend Campers", 0.9),
        ("build a lookalike audience of trail runer", "Trail Runners", 0.7),
    ],
)
def test_create_a_lookalike(ask, segments, text, basis, confidence):
    [action] = ask(AUDIENCE, text).actions

    assert action.action_data["name"] == f"Lookalike of {basis}"
    assert action.action_data["based_on_segment_id"] == str(segments[basis].id)
    assert action.estimated_reach == segments[basis].size * 3
    assert action.confidence == confidence


def test_an_unquoted_name_stops_at_the_description(ask, segments):
    [action] = ask(AUDIENCE, "create an audience named Peak Baggers of people who climbed 50 summits").actions

    assert action.action_data["name"] == "Peak Baggers"
    assert action.action_data["description"] == "people who climbed 50 summits"


def test_an_audience_without_a_basis(ask, segments):
    [action] = ask(AUDIENCE, "create an audience called 'Alpine Hikers' of people who hike above 3000m").actions

    assert action.action_data == {
        "name": "Alpine Hikers",
        "description": "people who hike above 3000m",
        "based_on_segment_id": None,
    }
    assert action.estimated_reach == round(median(size for _, size, _ in OURS))
    assert action.confidence == 0.8


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("create a lookalike of Rocket Fans", "I can't find an audience called 'Rocket Fans'."),
        (
            "create an audience called 'Trail Runners' like Weekend Campers",
            "An audience called 'Trail Runners' already exists.",
        ),
        ("create an audience", "What should the new audience be called"),
    ],
)
def test_audiences_that_cannot_be_proposed_are_explained(ask, segments, text, answer):
    reply = ask(AUDIENCE, text)

    assert reply.actions == []
    assert reply.text.startswith(answer)


def test_the_engine_writes_nothing(ask, segments):
    def snapshot():
        return list(AudienceSegment.objects.order_by("tenant", "name").values_list("name", "size", "weekly_growth"))

    before = snapshot()
    for text in ("create a lookalike of Trail Runners", "retarget cart abandoners from the last 30 days"):
        ask(AUDIENCE, text)
    assert snapshot() == before


@pytest.mark.parametrize("text", ["hey", "order pizza"])
def test_greetings_and_unknown_messages_list_what_the_agent_can_do(ask, text):
    reply = ask(AUDIENCE, text)

    assert reply.actions == []
    assert "- Which audiences are growing fastest?" in reply.text
    assert 3 <= reply.text.count("\n- ") <= 5


@pytest.mark.parametrize(
    "text, name",
    [
        ("make a new segment for people who bought tents", "People who bought tents"),
        ("Create an audience of customers who spent over $200", "Customers who spent over $200"),
        (
            "build a segment with subscribers that opened the last newsletter",
            "Subscribers that opened the last newsletter",
        ),
    ],
)
def test_an_audience_described_by_who_it_is_for_is_named_after_them(ask, tenant, text, name):
    [action] = ask(AUDIENCE, text).actions
    assert action.action_type == "create_audience" and action.action_data["name"] == name
    assert action.action_data["based_on_segment_id"] is None
