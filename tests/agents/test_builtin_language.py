"""The built-in engine says it reads English only, instead of answering a message it cannot read."""

import pytest

from agents.engines.builtin.language import other_language

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, language",
    [
        ("¿Cómo va mi campaña de verano?", "Spanish"),
        ("Sube el presupuesto de la campaña a 700 dólares", "Spanish"),
        ("Comment va ma campagne Summer Sale ?", "French"),
        ("Wie läuft meine Kampagne für den Sommer?", "German"),
        ("Como está a minha campanha de verão?", "Portuguese"),
        ("Come va la mia campagna estiva?", "Italian"),
        ("Hola, ¿qué tal va la campaña de verano?", "Spanish"),
        ("Bonjour, quelle est la meilleure campagne ?", "French"),
    ],
)
def test_a_message_in_another_language_is_recognised(ask, text, language):
    assert other_language(text) == language
    reply = ask("paid_ads", text)
    assert reply.actions == [] and reply.text.startswith(
        f"I only understand English for now, and this looks like {language}."
    )


@pytest.mark.parametrize(
    "text",
    [
        "How is my Summer Sale campaign doing?",
        "Summer Sale?",
        "ok",
        "Pause La Playa Promo",  # a name with foreign words, in an English request
        "raise budget to 700",
        "Campaña de verano stats",  # too little to tell: answered as English
    ],
)
def test_english_short_replies_and_names_pass(text):
    assert other_language(text) is None
