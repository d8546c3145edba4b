"""The built-in engine reads English and Spanish, and says so instead of answering a message in another language."""

import pytest

from agents.engines.builtin.language import other_language

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, language",
    [
        ("Comment va ma campagne Summer Sale ?", "French"),
        ("Wie läuft meine Kampagne für den Sommer?", "German"),
        ("Como está a minha campanha de verão?", "Portuguese"),
        ("Come va la mia campagna estiva?", "Italian"),
        ("Bonjour, quelle est la meilleure campagne ?", "French"),
    ],
)
def test_a_message_in_another_language_is_recognised(ask, text, language):
    assert other_language(text) == language
    reply = ask("paid_ads", text)
    assert reply.actions == [] and reply.text.startswith(
        f"I only understand English and Spanish for now, and this looks like {language}."
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
        "¿Cómo va mi campaña de verano?",  # Spanish is read (issue 31)
        "Sube el presupuesto de la campaña a 700 dólares",
        "Hola, ¿qué tal va la campaña de verano?",
    ],
)
def test_english_and_spanish_pass(text):
    assert other_language(text) is None
