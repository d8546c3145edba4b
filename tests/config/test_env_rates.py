"""RISK_DOLLAR_RATES: CODE=rate pairs from the environment replace or add to the defaults; a bad pair stops the
process at start, naming the variable."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_rates

DEFAULT = {"USD": Decimal("1"), "JPY": Decimal("0.0065")}


def test_pairs_replace_or_add_to_the_defaults(monkeypatch):
    monkeypatch.setenv("RATES", " jpy=0.0070, CHF=1.12 ,,")
    assert env_rates("RATES", DEFAULT) == {"USD": Decimal("1"), "JPY": Decimal("0.0070"), "CHF": Decimal("1.12")}


def test_unset_is_the_default(monkeypatch):
    monkeypatch.delenv("RATES", raising=False)
    assert env_rates("RATES", DEFAULT) == DEFAULT


BAD = ["JPY", "JPY=", "JPY=abc", "JPY=-1", "JPY=0", "JP=0.01", "J1Y=0.01", "JPY=NaN", "JPY=Infinity"]


@pytest.mark.parametrize("raw", BAD)
def test_a_bad_pair_is_refused_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("RATES", raw)
    with pytest.raises(ImproperlyConfigured, match="RATES must be CODE=rate pairs"):
        env_rates("RATES", DEFAULT)
