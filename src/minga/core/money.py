"""Money: a Decimal amount with an ISO 4217 currency code; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Active ISO 4217 alphabetic codes with their minor units (ISO 4217 list one).
_CODES_BY_MINOR_UNIT = {
    0: ("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"),
    2: (
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD "
        "CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ "
        "GYD HKD HNL HTG HUF IDR ILS INR IRR KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA "
        "MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN "
        "QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP "
        "TRY TTD TWD TZS UAH USD UYU UZS VES VED WST XCD YER ZAR ZMW ZWG"
    ),
    3: ("BHD IQD JOD KWD LYD OMR TND"),
    4: ("CLF UYW"),
}
MINOR_UNITS: dict[str, int] = {
    code: unit for unit, codes in _CODES_BY_MINOR_UNIT.items() for code in codes.split()
}
CURRENCIES = frozenset(MINOR_UNITS)


def validate_currency(code: str) -> None:
    if code not in CURRENCIES:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code (for example USD, EUR, BRL)."),
            code="currency",
            params={"code": code},
        )


class CurrencyField(models.CharField):  # type: ignore[type-arg]
    """Three-letter ISO 4217 code, validated."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal, never a float")
        validate_currency(self.currency)
        if not self.amount.is_finite():
            raise ValidationError(_("An amount must be a finite number."), code="amount")

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str) -> Money:
        try:
            value = Decimal(str(amount).strip().replace(" ", ""))
        except InvalidOperation:
            raise ValidationError(
                _("%(value)s is not an amount."), code="amount", params={"value": amount}
            ) from None
        return cls(value, currency.strip().upper())

    def quantized(self) -> Money:
        exponent = Decimal(1).scaleb(-MINOR_UNITS[self.currency])
        return Money(self.amount.quantize(exponent), self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.quantized().amount} {self.currency}"
