"""Reads of field data; owner-level observations only for their community's own people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy
from django.db.models import Count, QuerySet
from pyproj import Transformer
from shapely import transform, unary_union
from shapely.geometry import LineString, shape

from minga.core.clusters import View, clusters, collection, features_of
from minga.monitoring.models import (
    CategoryMapping,
    FieldSource,
    Observation,
    Patrol,
    Quarantined,
)
from minga.tables.models import Organization, Sector, Table
from minga.tables.queries import readable_by, roles_for


def observations_for(user: Any, table: Table) -> QuerySet[Observation]:
    """What this viewer may see: public ones; the table's to its members; owner-level ones only
    to the people of the community that recorded them."""
    return (
        Observation.objects.filter(table=table)
        .filter(readable_by(user, table))
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
                "label": " · ".join(
                    part
                    for part in (o.get_kind_display(), f"{o.observed_at:%Y-%m-%d}", o.labels)
                    if part
                ),
                "kind": o.kind,
                "labels": o.labels,
            },
        }
        for o in (found[:limit] if limit else found)
    ]
    return {"type": "FeatureCollection", "features": features + _tracks(user, table)}


def _tracks(user: Any, table: Table) -> list[dict[str, Any]]:
    """The patrols' tracks, for the table's members."""
    if not (roles_for(user, table) or getattr(user, "is_superuser", False)):
        return []
    return [
        {
            "type": "Feature",
            "id": p.public_id,
            "geometry": p.track,
            "properties": {"label": p.monitors},
        }
        for p in patrols_of(table)
        if p.track
    ]


def clustered_geojson(user: Any, table: Table, view: View) -> dict[str, Any]:
    """Every observation the viewer may see, grouped by the map's zoom (see core.clusters): a
    group's number where there are several, the observation itself where it is alone."""
    kinds = dict(Observation._meta.get_field("kind").choices or [])
    cells = clusters(
        observations_for(user, table), view, id="public_id", kind="kind", at="observed_at"
    )

    def alone(cell: dict[str, Any]) -> dict[str, Any]:
        at = cell["at"]
        day = at.date().isoformat() if hasattr(at, "date") else str(at)[:10]
        return {"kind": cell["kind"], "label": f"{kinds.get(cell['kind'], cell['kind'])} · {day}"}

    # the extent is the whole table's points when no bbox was asked; the tracks come with that
    # first answer, which the map keeps
    tracks = _tracks(user, table) if view.bbox is None else []
    return collection(view, cells, features_of(cells, alone) + tracks)


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


def sources_of(table: Table) -> QuerySet[FieldSource]:
    return FieldSource.objects.filter(table=table, mapping__isnull=False, server_url="").annotate(
        observed=Count("observations")
    )


def communities_of(table: Table) -> list[Organization]:
    """Organizations whose field data a source may be: indigenous nations and communities."""
    sectors = [Sector.INDIGENOUS, Sector.COMMUNITY]
    return list(
        Organization.objects.filter(
            memberships__table=table, memberships__until__isnull=True, sector__in=sectors
        )
        .distinct()
        .order_by("name")
    )


@dataclass
class VocabularyRow:
    code: str
    label: str
    kind: str
    guessed: bool
    observations: int


def vocabulary_of(table: Table, language: str = "") -> list[VocabularyRow]:
    """Each category the table's sources use, with the type it means and how many observations
    carry it; categories not yet mapped first, then by use."""
    used: Counter[str] = Counter()
    for codes in (
        Observation.objects.filter(table=table)
        .exclude(categories=[])
        .values_list("categories", flat=True)
    ):
        used.update(codes or [])
    rows = [
        VocabularyRow(
            c.code,
            (c.labels or {}).get(language) or (c.labels or {}).get("und") or "",
            c.kind,
            c.guessed,
            used.get(c.code, 0),
        )
        for c in CategoryMapping.objects.filter(table=table)
    ]
    rows.sort(key=lambda r: (bool(r.kind), -r.observations, r.code))
    return rows


def unmapped_count(table: Table) -> int:
    return CategoryMapping.objects.filter(table=table, kind="").count()


def category_codes(table: Table) -> list[str]:
    return list(CategoryMapping.objects.filter(table=table).values_list("code", flat=True))


def with_category(table: Table, code: str) -> list[int]:
    """Ids of the table's observations carrying ``code`` (JSON containment is not portable to
    SQLite, so the codes are matched here)."""
    return [
        pk
        for pk, codes in Observation.objects.filter(table=table)
        .exclude(categories=[])
        .values_list("pk", "categories")
        if code in (codes or [])
    ]


def server_sources_of(table: Table) -> QuerySet[FieldSource]:
    return (
        FieldSource.objects.filter(table=table)
        .exclude(server_url="")
        .annotate(observed=Count("observations"))
        .order_by("name")
    )
