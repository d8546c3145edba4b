"""Amounts, times, names and languages as people write them (issue 31, points 2, 3 and 5)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agents.understanding import understand
from agents.understanding.amounts import budget_change
from agents.understanding.language import detect
from agents.understanding.times import parse_when

OLD = Decimal("500.00")


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("set it to $700", "700.00"),
        ("700 dollars", "700.00"),
        ("to 700/day", "700.00"),
        ("to 700 a day", "700.00"),
        ("súbelo a 700 al día", "700.00"),
        ("a 700 dólares", "700.00"),
        ("to 1.5k", "1500.00"),
        ("a 1,5k", "1500.00"),
        ("to €650", "650.00"),
        ("a 1.200", "1200.00"),
        ("to 1,200", "1200.00"),
        ("double it", "1000.00"),
        ("cut it in half", "250.00"),
        ("a la mitad", "250.00"),
        ("raise it by 20 %", "600.00"),
        ("bájalo un 20 %", "400.00"),
        ("increase it by 200", "700.00"),
        ("give it an extra $100", "600.00"),
        ("súbele 50", "550.00"),
    ],
)
def test_amounts_in_every_usual_form(text, new):
    assert budget_change(text).applied_to(OLD) == Decimal(new)


def test_a_weekly_amount_is_flagged():
    assert budget_change("set it to $3,000 a week").weekly


NOW = datetime(2025, 6, 4, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Wednesday


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("monday 9am", "2025-06-09 09:00"),
        ("friday at noon", "2025-06-06 12:00"),
        ("tomorrow morning", "2025-06-05 09:00"),
        ("el lunes a las 9", "2025-06-09 09:00"),
        ("el viernes a mediodía", "2025-06-06 12:00"),
        ("mañana por la tarde", "2025-06-05 15:00"),
        ("mañana a las 10:30", "2025-06-05 10:30"),
        ("el 12 de junio a las 10", "2025-06-12 10:00"),
        ("June 12 at 5pm", "2025-06-12 17:00"),
        ("next tuesday at 8", "2025-06-10 08:00"),
        ("2025-12-01 09:30", "2025-12-01 09:30"),
        ("in 3 days", "2025-06-07 09:00"),
    ],
)
def test_times_in_the_tenants_zone(text, local):
    assert parse_when(text, NOW).at.strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Pausa la campaña Summer Sale", "es"),
        ("¿cómo va Brand Search?", "es"),
        ("pause Summer Sale", "en"),
        ("Summer Sale", None),
        ("ok", None),
    ],
)
def test_the_language_comes_from_the_words(text, language):
    assert detect(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "pause SUMMER SALE",
        "pause summer sale's ads",
        "pause 'Summer Sale'",
        "pause Sumer Sale",
        "pausa la campaña Summer Sale",
        "pause the summer sale campaign",
    ],
)
def test_a_campaign_is_found_whatever_its_spelling(nlu_world, text):
    understood = understand(text, nlu_world.tenant)
    assert (understood.intent, understood.name("campaign")) == ("pause_campaign", "Summer Sale")


def test_the_verb_decides_between_a_campaign_and_a_post(nlu_world):
    """'Summer Sale' is a campaign, 'Summer Sale Lookbook' a post: a budget acts on one, publishing on the other."""
    assert understand("raise summer sale to 600", nlu_world.tenant).name("campaign") == "Summer Sale"
    assert understand("publish summer sale lookbook", nlu_world.tenant).name("content") == "Summer Sale Lookbook"
    assert understand("publica el lookbook de summer sale", nlu_world.tenant).intent == "publish_content"
