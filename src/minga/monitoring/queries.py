"""Reads of field data; owner-level observations only for their community's own people."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy
from django.db.models import Q, QuerySet
from pyproj import Transformer
from shapely import transform, unary_union
from shapely.geometry import LineString, shape

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


def geojson_for(user: Any, table: Table, *, limit: int | None = None) -> dict[str, Any]:
    found = observations_for(user, table)
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
        for o in (found[:limit] if limit else found)
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


SERIOUS = ("illegal_logging", "mining", "fire")


def alerts_for(user: Any, table: Table) -> QuerySet[Observation]:
    return observations_for(user, table).filter(kind__in=SERIOUS)


def coverage(agreement: Any, *, since: Any, reach_km: float = 1.0) -> dict[str, Any]:
    """Patrol coverage of an agreement since a date (see :func:`zone_coverage`)."""

    patrols = list(agreement.patrols.filter(started_at__gte=since))
    return zone_coverage(
        shape(agreement.geometry) if agreement.geometry else None, patrols, reach_km
    )


def zone_coverage(area: Any, patrols: list[Patrol], reach_km: float = 1.0) -> dict[str, Any]:
    """Kilometres walked, number of patrols, and the share of ``area`` within ``reach_km`` of a
    track (a local metric projection, good to a few %)."""

    km = sum((p.kilometres for p in patrols), Decimal(0))
    share = None
    if area is not None:
        centre = area.centroid
        transformer = Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +units=m", always_xy=True
        )

        def project(coords: Any) -> Any:
            x, y = transformer.transform(coords[:, 0], coords[:, 1])
            return numpy.column_stack([x, y])

        local_area = transform(area, project)
        lines = [transform(LineString(p.track["coordinates"]), project) for p in patrols if p.track]
        reached = unary_union([line.buffer(reach_km * 1000) for line in lines]) if lines else None
        share = (
            round(100 * reached.intersection(local_area).area / local_area.area, 1)
            if reached
            else 0.0
        )
    return {"patrols": len(patrols), "km": km, "share": share}
