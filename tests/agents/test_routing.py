import pytest

from agents.routing import route

PHRASINGS = {
    "paid_ads": [
        "How is my Summer Sale campaign doing?",
        "Raise the Summer Sale budget to $700 a day",
        "what's our ROAS this week",
        "Which campaign has the worst CPA?",
        "pause the brand search campaign please",
        "Can you resume Fall Hiking Boots?",
        "How much did we spend on Google Ads yesterday?",
        "is our CTR going down on meta ads",
        "cut the retargeting budget by 20%",
        "best performing ads?",
        "how are the campaigns doing",
        "what's our cost per acquisition lately",
        "increase spend on Summer Sale",
        "are the facebook ads converting",
        "set the budget for Brand Search to 300",
    ],
    "seo": [
        "Which keywords gained or lost positions?",
        "How do we rank for hiking boots?",
        "add 'waterproof hiking boots' as a target keyword",
        "drop the keyword 'cheap tents'",
        "what's our SEO looking like",
        "are we on the first page for trail running shoes",
        "show me organic search traffic trends",
        "any ranking drops this week?",
        "what are our target keywords",
        "how are our SERP positions",
    ],
    "content": [
        "What's our best content?",
        "publish 'Fall Gear Guide'",
        "schedule 'Winter Layering 101' for Friday 9am",
        "which blog posts got the most engagement",
        "what's scheduled to go out next week",
        "show me our drafts",
        "how did the newsletter do",
        "which articles performed best last month",
        "can you publish the instagram post about tents",
        "what posts are going out tomorrow",
    ],
    "audience": [
        "Which audiences are growing fastest?",
        "How big is the Trail Runners audience?",
        "create a retargeting audience of cart abandoners from the last 30 days",
        "make a lookalike of Trail Runners",
        "what segments do we have",
        "who are our customers by demographic",
        "how many followers did we gain",
        "create an audience called 'Winter Campers'",
        "retarget people who visited the site",
        "which segment is growing fastest",
    ],
}
CASES = [(text, agent) for agent, texts in PHRASINGS.items() for text in texts]


def test_there_are_at_least_forty_phrasings():
    assert len(CASES) >= 40


@pytest.mark.parametrize("text, agent", CASES)
def test_messages_reach_the_right_agent(text, agent):
    assert route(text) == agent


def test_the_channel_can_name_the_agent():
    assert route("How is my Summer Sale campaign doing?", requested="seo") == "seo"


def test_an_unknown_named_agent_is_an_error():
    with pytest.raises(ValueError, match="Unknown agent"):
        route("hi", requested="astrology")


@pytest.mark.parametrize("text", ["and last month?", "thanks!", "ok do it", "hello"])
def test_a_message_without_cues_stays_with_the_conversations_agent(text):
    assert route(text, current="content") == "content"


def test_a_new_conversation_without_cues_starts_with_paid_ads():
    assert route("hello there") == "paid_ads"


def test_a_tie_keeps_the_current_agent():
    text = "publish the campaign"  # "campaign" (paid ads) vs "publish" (content), equal weight
    assert route(text, current="content") == "content"
    assert route(text, current="paid_ads") == "paid_ads"


@pytest.mark.parametrize(
    "text, requested, agent",
    [
        ("Raise the Summer Sale budget to $700 a day", "seo", "paid_ads"),
        ("Pause the Summer Sale campaign and its ads", "content", "paid_ads"),
        ("Publish the draft blog post about tents", "paid_ads", "content"),
        ("Create a retargeting audience of cart abandoners", "seo", "audience"),
        ("Which keywords did we lose rankings on?", "audience", "seo"),
        ("Which keywords improved their rankings?", "content", "seo"),
        ("Create a lookalike audience of our top customers", "content", "audience"),
        ("hello there", "seo", "seo"),  # nothing plainly another agent's: the choice stands
        ("How is my Summer Sale campaign doing?", "seo", "seo"),  # one weak cue is not enough
    ],
)
def test_a_message_plainly_for_another_agent_is_handed_over(text, requested, agent):
    assert route(text, requested=requested) == agent
