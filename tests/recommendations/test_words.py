"""What approvers read of a recommendation, in their language: Google's change and its weekly estimate, money in
the campaign's currency (yen whole)."""

from django.utils import translation

from agents.action_specs.recommendations import describe

YEN_BUDGET = {
    "recommendation_kind": "campaign_budget", "ad_platform": "Google Ads", "campaign_name": "Tokyo search",
    "currency": "JPY", "daily_budget": "6500", "previous_daily_budget": "5000", "base_cost": "35000",
    "potential_cost": "45500", "base_clicks": "300", "potential_clicks": "390",
}  # fmt: skip


def test_a_spanish_reader_reads_googles_estimate_in_yen():
    with translation.override("es"):
        said = " ".join(describe(YEN_BUDGET).split())  # Spanish groups digits and signs with no-break spaces
    assert said == (
        "Google Ads recomienda: subir el presupuesto diario de Tokyo search de 5 000 ¥ a 6 500 ¥. "
        "Coste a la semana (estimación de Google Ads) 35 000 ¥, después 45 500 ¥; "
        "Clics a la semana (estimación de Google Ads) 300, después 390."
    )


def test_a_recommendation_without_its_value_still_reads_as_a_sentence():
    assert describe({"recommendation_kind": "target_cpa", "ad_platform": "Google Ads", "campaign_name": "Brand"}) == (
        "Google Ads recommends: change Brand as recommended."
    )
