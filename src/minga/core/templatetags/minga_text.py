"""Template filters for values kept in minga's own notation (frozen report figures hold days as
ISO text): shown in the reader's."""

from __future__ import annotations

from typing import Any

from django import template

from minga.core.text import shown_value

register = template.Library()


@register.filter
def iso_day(value: Any) -> Any:
    """``"2026-11-15"`` as the reader writes a day; anything else as it is."""
    return shown_value(value)
