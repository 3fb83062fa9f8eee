from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from minga.core.money import Money


def test_it_adds_money_of_one_currency():
    assert Money(Decimal("16000"), "USD") + Money(Decimal("27500"), "USD") == Money(
        Decimal("43500"), "USD"
    )


def test_it_refuses_mixing_currencies():
    with pytest.raises(ValueError, match="USD with EUR"):
        Money(Decimal(1), "USD") + Money(Decimal(1), "EUR")


def test_it_refuses_floats_and_unknown_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(Decimal(1), "XYZ")


def test_it_parses_and_rounds_to_the_currency_minor_unit():
    assert str(Money.parse(" 12.345 ", "usd")) == "12.34 USD"
    assert Money.parse("12.345", "usd").quantized().amount == Decimal("12.34")  # banker's rounding
    assert Money.parse("1000.4", "JPY").quantized().amount == Decimal("1000")
    with pytest.raises(ValidationError):
        Money.parse("twelve", "USD")
