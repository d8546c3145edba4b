"""Issue 31's cases as written, through the built-in engine on the corpus's world (tests/agents_nlu/corpus).

Each case is routed as the pipeline routes it and answered by the engine; nothing is carried out.
"""

from decimal import Decimal

import pytest
from django.utils import translation

from agents.engines.base import HistoryItem
from agents.engines.builtin.examples import examples
from agents.models import AudienceSegment, Campaign, ContentPiece
from hitl.models import HITLApproval
from tests.agents_nlu.scoring import ask

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.shape_neutral("the reading of words: the figures quoted come from queries tested on both shapes"),
]


def proposal(user, text, history=(), current=None):
    agent, reply = ask(user, text, list(history), current)
    assert len(reply.actions) == 1, (agent, reply.text)
    return agent, reply.actions[0], reply


@pytest.mark.parametrize(
    ("text", "campaign", "budget"),
    [
        ("increase Brand Search to 350/day", "Brand Search", "350.00"),
        ("lower summer sale's daily spend to $400", "Summer Sale", "400.00"),
        ("Sube el presupuesto de Summer Sale a 700 dólares al día", "Summer Sale", "700.00"),
    ],
)
def test_the_issues_budget_phrasings_are_proposals(nlu_world, text, campaign, budget):
    agent, action, reply = proposal(nlu_world, text)
    assert (agent, action.action_type) == ("paid_ads", "set_budget")
    assert action.action_data["campaign_name"] == campaign
    assert Decimal(action.action_data["daily_budget"]) == Decimal(budget)
    assert Campaign.objects.get(tenant=nlu_world.tenant, name=campaign).daily_budget != Decimal(budget)
    assert not HITLApproval.objects.exists()  # only proposed: nothing filed, nothing changed


def test_the_issues_content_and_audience_phrasings_are_proposals(nlu_world):
    agent, action, _ = proposal(nlu_world, "push the winter camping guide live")
    assert (agent, action.action_type, action.action_data["title"]) == (
        "content",
        "publish_content",
        "Winter Camping Guide",
    )
    agent, action, _ = proposal(nlu_world, "queue the spring collection announcement for friday at noon")
    assert (agent, action.action_type, action.action_data["scheduled_for"]) == (
        "content",
        "schedule_content",
        "2025-06-06T10:00:00+00:00",  # Friday 12:00 in Paris
    )
    top = AudienceSegment.objects.get(tenant=nlu_world.tenant, name="Top Customers")
    agent, action, _ = proposal(nlu_world, "spin up a lookalike of top customers")
    assert (agent, action.action_type, action.action_data["based_on_segment_id"]) == (
        "audience",
        "create_audience",
        str(top.id),
    )
    hikers = AudienceSegment.objects.get(tenant=nlu_world.tenant, name="Weekend Hikers")
    agent, action, _ = proposal(nlu_world, "put together a segment of weekend hikers who bought in the last 60 days")
    assert (agent, action.action_type, action.action_data["based_on_segment_id"]) == (
        "audience",
        "create_audience",
        str(hikers.id),
    )


def test_pausing_in_spanish_is_a_proposal_answered_in_spanish(nlu_world):
    agent, action, reply = proposal(nlu_world, "Pausa la campaña Summer Sale")
    assert (agent, action.action_type, action.action_data["campaign_name"]) == (
        "paid_ads",
        "pause_campaign",
        "Summer Sale",
    )
    assert reply.text.startswith("Propuesta:") and "Summer Sale" in reply.text, reply.text
    assert "Proposed" not in reply.text


def test_a_follow_up_after_a_takeover_goes_to_the_campaign_not_the_post(nlu_world):
    """'Summer Sale' is a campaign and part of a post's title; the conversation was with Content."""
    agent, reply = ask(nlu_world, "Thanks! How is Summer Sale doing now?", [], "content")
    assert agent == "paid_ads"
    assert reply.text.startswith("Summer Sale, last 7 days: spend $"), reply.text


def test_asked_to_write_the_built_in_content_agent_says_it_needs_an_llm_engine(nlu_world):
    agent, reply = ask(nlu_world, "Write a blog post about choosing fall hiking boots", [], None)
    assert agent == "content" and reply.actions == []
    assert reply.text.startswith("Writing new content needs an LLM engine")
    assert "- Publish 'Fall Gear Guide'" in reply.text  # what it can do instead, from the tenant's own drafts
    assert ContentPiece.objects.filter(tenant=nlu_world.tenant).count() == 9  # nothing written


@pytest.mark.parametrize(
    ("before", "text", "action_type", "campaign", "budget"),
    [
        ("How is Summer Sale doing?", "raise it by 20 %", "set_budget", "Summer Sale", "600.00"),
        ("which campaign has the worst CPA?", "pause that one too", "pause_campaign", "Trail Running Awareness", None),
        ("rank my campaigns by ROAS", "pause the worst one", "pause_campaign", "Trail Running Awareness", None),
    ],
)
def test_follow_ups_take_the_conversations_campaign(nlu_world, before, text, action_type, campaign, budget):
    _agent, earlier = ask(nlu_world, before, [], None)
    history = [HistoryItem("user", before), HistoryItem("assistant", earlier.text)]
    agent, action, _ = proposal(nlu_world, text, history, "paid_ads")
    assert (action.action_type, action.action_data["campaign_name"]) == (action_type, campaign)
    if budget:
        assert Decimal(action.action_data["daily_budget"]) == Decimal(budget)


def test_and_for_another_campaign_asks_the_same_question(nlu_world):
    history = [HistoryItem("user", "How is Summer Sale doing?"), HistoryItem("assistant", "…")]
    agent, reply = ask(nlu_world, "and for Brand Search?", history, "seo")
    assert agent == "paid_ads" and reply.text.startswith("Brand Search, last 7 days")


def test_a_real_ambiguity_is_asked_back(nlu_world):
    ContentPiece.objects.create(tenant=nlu_world.tenant, title="Brand Search", channel="blog", status="draft")
    _agent, reply = ask(nlu_world, "tell me about brand search", [], None)
    assert reply.text == "Do you mean Brand Search the campaign or 'Brand Search' the post?"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("agent_type", ["paid_ads", "seo", "content", "audience"])
def test_every_example_shown_is_understood_in_its_language(nlu_world, language, agent_type):
    with translation.override(language):
        shown = examples(agent_type, nlu_world.tenant)
    for example in shown:
        agent, reply = ask(nlu_world, example, [], None)
        assert agent == agent_type, example
        assert reply.understood and not reply.text.startswith(("I can't find", "No encuentro")), (example, reply.text)


def test_not_understood_lists_examples_from_the_tenants_data_in_the_persons_language(nlu_world):
    _agent, reply = ask(nlu_world, "el gato está en la mesa", [], None)
    assert not reply.understood
    assert "Puedes preguntarme, por ejemplo:" in reply.text
    assert "- ¿Cómo va mi campaña Summer Sale?" in reply.text  # the tenant's biggest active campaign
