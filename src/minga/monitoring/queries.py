"""Reads of field data; owner-level observations only for their community's own people."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from minga.core.access import Sensitivity, level_for
from minga.monitoring.models import Observation, Patrol, Quarantined
from minga.tables.models import Membership, Table
from minga.tables.queries import roles_for


def observations_for(user: Any, table: Table) -> QuerySet[Observation]:
    """What this viewer may see: public ones; the table's to its members; owner-level ones only
    to the people of the community that recorded them."""
    level = level_for(roles_for(user, table))
    visible = Q(sensitivity__lte=min(level, Sensitivity.TABLE))
    if user is not None and user.is_authenticated:
        own = Membership.objects.active().filter(person__user=user).values("organization")
        visible |= Q(sensitivity=Sensitivity.OWNER, owner__in=own)
    return (
        Observation.objects.filter(table=table)
        .filter(visible)
        .select_related("agreement", "patrol")
    )


def patrols_of(table: Table) -> QuerySet[Patrol]:
    return Patrol.objects.filter(table=table).select_related("agreement")


def quarantine_of(table: Table) -> QuerySet[Quarantined]:
    return Quarantined.objects.filter(table=table, resolved=False)


def geojson_for(user: Any, table: Table) -> dict[str, Any]:
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "id": o.public_id,
            "geometry": {"type": "Point", "coordinates": [o.lon, o.lat]},
            "properties": {
                "label": f"{o.get_kind_display()} · {o.observed_at:%Y-%m-%d}",
                "kind": o.kind,
            },
        }
        for o in observations_for(user, table)
    ]
    if roles_for(user, table) or getattr(user, "is_superuser", False):
        features += [
            {
                "type": "Feature",
                "id": p.public_id,
                "geometry": p.track,
                "properties": {"label": p.monitors},
            }
            for p in patrols_of(table)
            if p.track
        ]
    return {"type": "FeatureCollection", "features": features}
