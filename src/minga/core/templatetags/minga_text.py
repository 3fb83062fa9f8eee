"""Template filters for values kept in minga's own notation (frozen report figures hold days as
ISO text): shown in the reader's."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

from minga.core.text import shown_value

register = template.Library()


@register.filter
def iso_day(value: Any) -> Any:
    """``"2026-11-15"`` as the reader writes a day; anything else as it is."""
    return shown_value(value)


@register.filter
def exact_number(value: Any) -> Any:
    """A stored decimal (``"1.08150000"``) with every significant digit and none of the
    trailing zeros, in the reader's notation (``1,0815``); anything else as it is."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    exponent = number.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(number, places, use_l10n=True, force_grouping=True)
