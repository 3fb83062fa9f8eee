"""``{% labels_on "agreement" record %}``: the community's labels on a record, from the local
copy only (no request ever goes to the Hub to draw them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import get_language

from minga.labels import queries
from minga.labels.models import Target
from minga.tables.queries import speaks_for

register = template.Library()


@register.inclusion_tag("labels/_badges.html", takes_context=True)
def labels_on(context: dict[str, Any], target: str, record: Any) -> dict[str, Any]:
    """A restricting label is shown only to its community: to anyone else, that this record
    is under one is the community's to tell."""
    if target == Target.OBSERVATION:
        labels = queries.on_observations([record]).get(record.public_id, [])
    else:
        labels = queries.on(target, [record.public_id]).get(record.public_id, [])
    request = context.get("request")
    viewer = getattr(request, "user", None) or AnonymousUser()
    labels = [
        label
        for label in labels
        if not label.restricts or speaks_for(viewer, label.table, label.community)
    ]
    return {"labels": queries.shown(labels, (get_language() or "es").split("-")[0])}
