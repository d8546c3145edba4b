"""Risk reasons told in the reader's language from the figures kept with each factor (hitl.risk_reasons): the same
approval reads in English and in Spanish, money in its own currency; a factor scored before its figures were kept
shows its stored sentence; figures that cannot be read fall back to it rather than failing the page."""

from decimal import Decimal

import pytest
from django.utils import translation

from hitl.risk import readable_factors
from tests.hitl_risk.test_risk import NOW, factor, request, run, spend_daily

pytestmark = pytest.mark.django_db


def told(factors, action_type, language):
    with translation.override(language):
        return {row["factor"]: row["detail"] for row in readable_factors(factors, action_type)}


def test_every_reason_reads_in_spanish_from_its_figures(tenant, colleague):
    spend_daily(tenant, "500")  # $15,000 over 30 days
    request(tenant, colleague, at=NOW, status="rejected")
    scored = run(tenant, action_type="set_budget", cost="6000", reach=25000, confidence=0.8, requested_by=colleague)

    english = told(scored.factors, "set_budget", "en")
    spanish = told(scored.factors, "set_budget", "es")

    assert english["budget_relative"] == "$6,000 is 40% of the last 30 days' spend ($15,000)"
    assert spanish["budget_relative"] == "6\xa0000 US$ es el 40% del gasto de los últimos 30 días (15\xa0000 US$)"
    assert spanish["budget_absolute"].endswith("frente a un coste grande de 10\xa0000 US$")
    assert spanish["reach"] == "25\xa0000 personas alcanzadas"
    assert spanish["action_type"].endswith("(predeterminado)") and "set_budget" not in spanish["action_type"]
    assert spanish["requester_history"].startswith("1 rechazadas en los últimos 30 días; 1 solicitudes")
    assert spanish["confidence"] == "Confianza del agente: 80%"
    # What is stored (the API and the exports give it) is the English sentence, whoever's language filed it.
    assert {f["factor"]: f["detail"] for f in scored.factors} == english


def test_yen_keep_their_own_sign_and_no_cents(tenant):
    scored = run(tenant, action_type="set_budget", cost="70000")
    scored.factors[0]["says"]["currency"] = "JPY"  # as a yen campaign's raise keeps it

    assert told(scored.factors, "set_budget", "es")["budget_relative"] == (
        "70\xa0000 ¥ sin gasto en los últimos 30 días"
    )
    assert told(scored.factors, "set_budget", "en")["budget_relative"] == "¥70,000 with no spend in the last 30 days"


def test_a_factor_scored_before_its_figures_were_kept_shows_its_stored_sentence(tenant):
    stored = [
        {"factor": "reach", "points": 6.0, "max": 15, "detail": "2,500 people reached"},
        {"factor": "action_type", "points": 8.0, "max": 25, "detail": "set_budget (default)"},
    ]

    spanish = told(stored, "set_budget", "es")

    assert spanish["reach"] == "2,500 people reached"  # only what was stored, never invented
    assert spanish["action_type"].endswith(" (default)") and not spanish["action_type"].startswith("set_budget")


@pytest.mark.parametrize(
    "says",
    [
        {"kind": "cost_share", "cost": "not a number", "currency": "USD", "ratio": "0.4", "spent": "15000"},
        {"kind": "reach"},
        {"kind": "a kind Walker no longer tells"},
        "not a dict",
    ],
)
def test_figures_that_cannot_be_read_fall_back_to_the_stored_sentence(says):
    stored = [{"factor": "reach", "points": 1.0, "max": 15, "detail": "as it was stored", "says": says}]

    assert told(stored, "set_budget", "es")["reach"] == "as it was stored"


def test_a_cost_below_one_percent_of_recent_spend(tenant):
    spend_daily(tenant, "5000")  # $150,000 over 30 days
    scored = run(tenant, action_type="set_budget", cost="100")

    assert factor(scored, "budget_relative")["detail"] == "$100 is under 1% of the last 30 days' spend ($150,000)"
    assert told(scored.factors, "set_budget", "es")["budget_relative"].startswith("100 US$ es menos del 1% del gasto")
    assert Decimal(factor(scored, "budget_relative")["says"]["ratio"]) < Decimal("0.01")
