"""``{% labels_on "agreement" record %}``: the community's labels on a record, from the local
copy only (no request ever goes to the Hub to draw them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from minga.labels import queries
from minga.labels.models import Target

register = template.Library()


@register.inclusion_tag("labels/_badges.html")
def labels_on(target: str, record: Any) -> dict[str, Any]:
    if target == Target.OBSERVATION:
        labels = queries.on_observations([record]).get(record.public_id, [])
    else:
        labels = queries.on(target, [record.public_id]).get(record.public_id, [])
    return {"labels": queries.shown(labels, (get_language() or "es").split("-")[0])}
