"""Issue 50, point 3, as written: everyday phrasings read against the corpus's world (tests/agents_nlu/corpus),
routed as the pipeline routes them and answered by the built-in engine; nothing is carried out."""

from decimal import Decimal

import pytest

from agents.engines.base import HistoryItem
from agents.models import Campaign
from agents.understanding import understand
from tests.agents_nlu.scoring import ask

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.shape_neutral("the reading of words: the figures quoted come from queries tested on both shapes"),
]


def only_proposal(user, text):
    agent, reply = ask(user, text, [], None)
    assert len(reply.actions) == 1, (agent, reply.text)
    return agent, reply.actions[0].action_type, reply.actions[0].action_data


@pytest.mark.parametrize(
    "text",
    [
        "can we pull back spend on retargeting? it's not converting",
        "¿podemos bajar el gasto en retargeting? no está convirtiendo",
    ],
)
def test_a_campaign_named_by_one_word_wins_for_spend_words(nlu_world, text):
    """ "Site Retargeting" has the budget: spend words about "retargeting" are Paid Ads', not a new audience."""
    read = understand(text, nlu_world.tenant)
    assert (read.intent, read.entity.name, read.entity.exact) == ("set_budget", "Site Retargeting", False)
    agent, reply = ask(nlu_world, text, [], None)
    assert agent == "paid_ads" and reply.actions == []  # no amount said: it asks for one
    assert "Site Retargeting" in reply.text or "presupuesto" in reply.text or "budget" in reply.text


def test_retargeting_as_a_word_of_the_trade_still_builds_an_audience(nlu_world):
    agent, action_type, data = only_proposal(nlu_world, "set up retargeting for cart abandoners over the last 14 days")
    assert (agent, action_type, data["source"], data["lookback_days"]) == (
        "audience",
        "create_retargeting",
        "cart_abandoners",
        14,
    )


@pytest.mark.parametrize(
    ("text", "today", "spanish"),
    [
        ("sube brand search a 400 al día", "450.00", True),
        ("raise brand search to 400 a day", "450.00", False),
        ("lower brand search to 500", "450.00", False),
        ("baja brand search a 500 al día", "450.00", True),
    ],
)
def test_raise_to_below_today_or_lower_to_above_asks_back(nlu_world, text, today, spanish):
    Campaign.objects.filter(tenant=nlu_world.tenant, name="Brand Search").update(daily_budget=Decimal(today))
    agent, reply = ask(nlu_world, text, [], None)
    assert agent == "paid_ads" and reply.actions == [], reply.text  # never the opposite direction
    assert ("El presupuesto diario de Brand Search es ahora" in reply.text) == spanish, reply.text
    assert ("Brand Search's daily budget is" in reply.text) != spanish, reply.text


@pytest.mark.parametrize(
    ("text", "first_line"),
    [
        ("what's our best performing campaign?", "Brand Search has the best CPA"),
        ("which campaign is performing best?", "Brand Search has the best CPA"),
        ("¿cuál es nuestra campaña con mejor rendimiento?", "Brand Search tiene el CPA mejor"),
        ("¿cuál es nuestra mejor campaña?", "Brand Search tiene el CPA mejor"),
        ("¿qué campaña funciona mejor?", "Brand Search tiene el CPA mejor"),
    ],
)
def test_the_same_question_ranks_by_the_same_measure_in_both_languages(nlu_world, text, first_line):
    agent, reply = ask(nlu_world, text, [], None)
    assert agent == "paid_ads" and reply.text.startswith(first_line), reply.text


@pytest.mark.parametrize(
    ("text", "campaign", "budget"),
    [
        ("bump brand search by a quarter", "Brand Search", "250.00"),
        ("cut summer sale by a third", "Summer Sale", "333.33"),
        ("double the budget of site retargeting", "Site Retargeting", "300.00"),
        ("halve trail running awareness", "Trail Running Awareness", "150.00"),
        ("increase fall hiking boots by half", "Fall Hiking Boots", "525.00"),
        ("sube brand search en un cuarto", "Brand Search", "250.00"),
        ("deja summer sale a la mitad", "Summer Sale", "250.00"),
        ("ponle el doble de presupuesto a site retargeting", "Site Retargeting", "300.00"),
        ("aumenta un 25 % el presupuesto de fall hiking boots", "Fall Hiking Boots", "437.50"),
    ],
)
def test_fractions_and_multiples_in_words_are_proposals(nlu_world, text, campaign, budget):
    agent, action_type, data = only_proposal(nlu_world, text)
    assert (agent, action_type, data["campaign_name"]) == ("paid_ads", "set_budget", campaign)
    assert Decimal(data["daily_budget"]) == Decimal(budget)


@pytest.mark.parametrize(
    ("text", "action_type", "keyword"),
    [
        ("monitorea la palabra clave 'calcetines de senderismo'", "add_target_keyword", "calcetines de senderismo"),
        ("quiero posicionar 'hornillo de camping'", "add_target_keyword", "hornillo de camping"),
        ("mete 'bastones de trekking' en las palabras clave", "add_target_keyword", "bastones de trekking"),
        ("empieza a trackear rain jacket", "add_target_keyword", "rain jacket"),
        ("incluye 'botas impermeables' entre las palabras clave objetivo", "add_target_keyword", "botas impermeables"),
        ("deja de trackear ultralight backpack", "remove_target_keyword", "ultralight backpack"),
        ("ya no sigas trail running shoes", "remove_target_keyword", "trail running shoes"),
        ("ya no queremos posicionar camping tents", "remove_target_keyword", "camping tents"),
    ],
)
def test_more_spanish_ways_to_add_and_drop_tracked_keywords(nlu_world, text, action_type, keyword):
    agent, reply = ask(nlu_world, text, [], None)
    assert agent == "seo" and len(reply.actions) == 1, reply.text
    assert (reply.actions[0].action_type, reply.actions[0].action_data["keyword"]) == (action_type, keyword)
    assert reply.text.startswith("Propuesta:"), reply.text


@pytest.mark.parametrize(
    ("text", "agent_type", "opening"),
    [
        ("what should we post this week?", "content", "I don't make plans or recommendations"),
        ("what should we do about seo?", "seo", "I don't make plans or recommendations"),
        ("who should we target next?", "audience", "I don't make plans or recommendations"),
        ("¿qué deberíamos publicar esta semana?", "content", "No hago planes ni recomendaciones"),
        ("¿a qué público deberíamos dirigirnos ahora?", "audience", "No hago planes ni recomendaciones"),
    ],
)
def test_open_questions_get_what_the_agent_can_do(nlu_world, text, agent_type, opening):
    agent, reply = ask(nlu_world, text, [], None)
    assert agent == agent_type and reply.actions == [] and reply.understood
    assert opening in reply.text and "can't find" not in reply.text and "No encuentro" not in reply.text
    assert "- " in reply.text  # examples from the tenant's own rows


def test_what_to_post_also_shows_what_is_planned(nlu_world):
    _agent, reply = ask(nlu_world, "what should we post this week?", [], None)
    assert "'Monthly Trail Notes'" in reply.text and "Drafts (5)" in reply.text, reply.text


def test_asked_back_for_an_amount_in_spanish_the_examples_are_spanish(nlu_world):
    _agent, reply = ask(nlu_world, "¿podemos bajar el gasto en retargeting? no está convirtiendo", [], None)
    assert "«súbelo a 700 al día» o «bájalo un 10 %»" in reply.text and "raise it" not in reply.text, reply.text


@pytest.mark.parametrize(
    ("before", "text", "said_back"),
    [
        ("How is Summer Sale doing?", "pause the Moon Landing campaign", "I can't find a campaign called Moon Landing"),
        ("¿Cómo va Summer Sale?", "pausa la campaña Luna Nueva", "No encuentro ninguna campaña llamada Luna Nueva"),
        ("How is Summer Sale doing?", "raise the Moon Landing campaign to 300", "I can't find a campaign called"),
    ],
)
def test_a_name_that_matches_nothing_is_not_the_conversations_row(nlu_world, before, text, said_back):
    """Pausing Summer Sale because it was asked about before, when the person named another campaign, would be
    the worst misreading of all: the unknown name is said back instead."""
    _agent, earlier = ask(nlu_world, before, [], None)
    history = [HistoryItem("user", before), HistoryItem("assistant", earlier.text)]
    agent, reply = ask(nlu_world, text, history, "paid_ads")
    assert agent == "paid_ads" and reply.actions == [] and not reply.understood, reply.text
    assert said_back in reply.text, reply.text
