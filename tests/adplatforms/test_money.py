"""Money crosses the platform edge once, exactly, in the account's currency: no float, no lost minor units."""

from decimal import Decimal

import pytest

from adplatforms import money


@pytest.mark.parametrize(
    ("micros", "currency", "amount"),
    [
        (700_000_000, "USD", Decimal("700.00")),
        (5_000_000_000, "JPY", Decimal("5000")),
        (1_234_567, "USD", Decimal("1.23")),  # sub-cent cost is rounded half to even
        (1_235_000, "USD", Decimal("1.24")),
        (1_225_000, "USD", Decimal("1.22")),
        (12_345_000, "KWD", Decimal("12.345")),
    ],
)
def test_google_micros_read_as_the_currency_holds_them(micros, currency, amount):
    assert money.from_micros(micros, currency) == amount
    assert str(money.from_micros(micros, currency)) == str(amount)


@pytest.mark.parametrize(
    ("amount", "currency", "micros"),
    [
        (Decimal("700.00"), "USD", 700_000_000),
        (Decimal("5000"), "JPY", 5_000_000_000),
        (Decimal("0.01"), "EUR", 10_000),
    ],
)
def test_amounts_written_to_google_in_micros(amount, currency, micros):
    assert money.to_micros(amount, currency) == micros


@pytest.mark.parametrize(
    ("units", "currency", "amount"),
    [
        (70_000, "USD", Decimal("700.00")),
        (5_000, "JPY", Decimal("5000")),  # offset 1: ¥5,000 is 5000, never 500000
        (5_000, "KRW", Decimal("5000")),
        (123_456, "COP", Decimal("123456.00")),  # Meta counts whole pesos though ISO gives them cents
        (1_050, "EUR", Decimal("10.50")),
    ],
)
def test_meta_units_follow_metas_offset_per_currency(units, currency, amount):
    assert money.from_meta_units(units, currency) == amount


def test_meta_units_written_back_are_the_ones_read():
    for units, currency in [(70_000, "USD"), (5_000, "JPY"), (123_456, "COP"), (99, "GBP")]:
        assert money.to_meta_units(money.from_meta_units(units, currency), currency) == units


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (Decimal("5000.5"), "JPY"),  # yen have no minor unit
        (Decimal("10.001"), "USD"),
        (Decimal("NaN"), "USD"),
        (Decimal("Infinity"), "USD"),
    ],
)
def test_amounts_a_currency_cannot_hold_are_refused_not_rounded(amount, currency):
    with pytest.raises(money.MoneyError):
        money.to_micros(amount, currency)
    with pytest.raises(money.MoneyError):
        money.to_meta_units(amount, currency)


def test_meta_refuses_fractions_of_its_whole_unit_currencies():
    with pytest.raises(money.MoneyError, match="whole units"):
        money.to_meta_units(Decimal("10.50"), "COP")


@pytest.mark.parametrize("bad", [1.5, 700.0, True, "12.5", None])
def test_platform_units_must_be_whole_numbers_never_floats(bad):
    with pytest.raises(money.MoneyError):
        money.from_micros(bad, "USD")


def test_floats_are_refused_on_the_way_out():
    with pytest.raises(money.MoneyError, match="Decimal"):
        money.to_micros(700.0, "USD")
