"""Fractions and multiples in words, in both languages (issue 50, point 3): "by a quarter" is 25 % of today's
budget, "in half" is half of it, "by half" half as much again when it goes up."""

from decimal import Decimal

import pytest

from agents.understanding.amounts import budget_change

OLD = Decimal("300.00")


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("raise it by a quarter", "375.00"),
        ("cut it by a third", "200.00"),
        ("lower it by a fifth", "240.00"),
        ("increase it by half", "450.00"),
        ("reduce it by a half", "150.00"),
        ("raise it by two thirds", "500.00"),
        ("cut it by three quarters", "75.00"),
        ("lower it by 1/4", "225.00"),
        ("cut it in half", "150.00"),
        ("halve it", "150.00"),
        ("double it", "600.00"),
        ("triple it", "900.00"),
        ("2x it", "600.00"),
        ("go 4x on it", "1200.00"),
        ("súbelo un cuarto", "375.00"),
        ("súbelo en un cuarto", "375.00"),
        ("bájalo un tercio", "200.00"),
        ("recórtalo una quinta parte", "240.00"),
        ("súbelo en la mitad", "450.00"),
        ("déjalo a la mitad", "150.00"),
        ("ponle el doble", "600.00"),
        ("dóblalo", "600.00"),
        ("ponlo al cuádruple", "1200.00"),
        ("súbelo un 25 %", "375.00"),
        ("bájalo un 25 por ciento", "225.00"),
    ],
)
def test_fractions_and_multiples_in_words(text, new):
    assert budget_change(text).applied_to(OLD) == Decimal(new)


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("we need more budget on it, make it 275", "275.00"),
        ("put another 100 into it", "400.00"),
        ("quítale 50 dólares", "250.00"),
    ],
)
def test_a_setting_verb_next_to_the_amount_sets_it_and_taking_off_lowers(text, new):
    assert budget_change(text).applied_to(OLD) == Decimal(new)
