"""Which words ask for a person, in English and Spanish, and which only look like it."""

import pytest

from agents.engines.builtin.language import other_language
from agents.understanding.handoff import asks_for_person
from agents.understanding.language import detect
from tests.person_asked.conftest import ASKS

MORE_ASKS = [
    "Can I speak to someone?",
    "I'd like to talk with a real person please",
    "connect me to a human agent",
    "Please have someone call me",
    "HUMAN PLEASE",
    "puedo hablar con un humano?",
    "¿Alguien del equipo me puede llamar?",
    "Quiero que me llame alguien del equipo",
    "necesito hablar con una persona de verdad",
    "pásame con un agente humano",
]
NOT_ASKS = [
    "How is my Summer Sale doing?",
    "talk to the SEO agent",
    "show me our buyer persona",
    "which campaigns reach people like our customers?",
    "Who is the person behind the Summer Sale?",
    "quiero hablar de las personas que compran",
    "crea un segmento de personas que compran",
    "call me maybe is a song",
    "",
    "   ",
    # Said not to want one: a negation before the ask, in its own sentence or clause.
    "I don't want to talk to a person, just tell me the budget",
    "I do not need a human",
    "No need to call me back.",
    "never connect me to a human agent",
    "no quiero hablar con una persona, solo dime el gasto",
    "no necesito hablar con alguien",
    "no hace falta que me llame alguien",
]
ASKS_AFTER_A_NO = [
    "No, I want to talk to a person",
    "I don't know how to do this. Can I speak to someone?",
    "no sé cómo hacerlo, quiero hablar con una persona",
    "That's not right. Talk to a human please",
]


@pytest.mark.parametrize("text", [*ASKS["en"], *ASKS["es"], *MORE_ASKS, *ASKS_AFTER_A_NO])
def test_asks_for_a_person(text):
    assert asks_for_person(text)


@pytest.mark.parametrize("text", NOT_ASKS)
def test_only_looks_like_asking(text):
    assert not asks_for_person(text)


def test_a_very_long_message_is_read_in_time():
    assert asks_for_person("la " * 2000 + "quiero hablar con una persona")
    assert not asks_for_person("person " * 4000)


@pytest.mark.parametrize("text", ASKS["es"])
def test_the_spanish_asks_are_spanish_not_italian(text):
    assert other_language(text) is None
    assert detect(text) == "es"


@pytest.mark.parametrize("text", ASKS["en"])
def test_the_english_asks_are_english(text):
    assert detect(text) == "en"


def test_italian_is_still_italian():
    assert other_language("ciao, come va la mia campagna con il budget della settimana?") == "Italian"
