"""``{% labels_on "agreement" record %}``: the community's labels on a record, from the local
copy only (no request ever goes to the Hub to draw them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from minga.labels import queries
from minga.labels.models import Label, Target

register = template.Library()


def _shown(labels: list[Label]) -> list[dict[str, Any]]:
    language = (get_language() or "es").split("-")[0]
    shown = []
    for label in labels:
        name, text = label.text_in(language)
        kind = label.kind
        shown.append(
            {
                "label": label,
                "name": name,
                "text": text or (str(kind.meaning) if kind else ""),
                "abbreviation": label.abbreviation,
                "page": label.page or (kind.url if kind else ""),
            }
        )
    return shown


@register.inclusion_tag("labels/_badges.html")
def labels_on(target: str, record: Any) -> dict[str, Any]:
    if target == Target.OBSERVATION:
        labels = queries.on_observations([record]).get(record.public_id, [])
    else:
        labels = queries.on(target, [record.public_id]).get(record.public_id, [])
    return {"labels": _shown(labels)}
