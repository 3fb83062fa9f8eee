"""Points grouped on the server by zoom level, so a map shows every record at any scale.

The grid follows the web map's tiles: at zoom ``z`` a tile spans 360 / 2**z degrees of
longitude, and each tile is cut into ``CELLS`` × ``CELLS`` cells (64 pixels on a 256-pixel tile).
Every cell with points becomes one feature with their number, drawn at the cell's centre (so
two groups are always a cell apart and never hide each other) or, for a point alone, where it
is. The
grouping is one ``GROUP BY`` on both SQLite and PostgreSQL (Django's ``Floor`` over the stored
longitude and latitude); within a viewport (``bbox``) the answer holds at most as many features
as the viewport has cells, however many points the table holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Floor
from django.http import JsonResponse
from django.utils.translation import gettext as _

CELLS = 4
MAX_ZOOM = 18


class BadRequest(ValueError):
    """A zoom or box the client sent that cannot be read."""


@dataclass(frozen=True)
class View:
    zoom: int
    bbox: tuple[float, float, float, float] | None  # west, south, east, north

    @property
    def cell(self) -> float:
        return 360.0 / float(2**self.zoom) / CELLS


def read_view(params: Any, *, default_zoom: int = 6) -> View:
    """The zoom (``z``) and the optional ``bbox=west,south,east,north`` of a request."""
    try:
        zoom = int(params.get("z", default_zoom))
    except (TypeError, ValueError):
        raise BadRequest("z") from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise BadRequest("z")
    box = params.get("bbox")
    if not box:
        return View(zoom, None)
    try:
        west, south, east, north = (float(v) for v in box.split(","))
    except ValueError:
        raise BadRequest("bbox") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise BadRequest("bbox")
    return View(zoom, (west, south, east, north))


def clusters(
    points: QuerySet[Any], view: View, *, lon: str = "lon", lat: str = "lat", **first: Any
) -> list[dict[str, Any]]:
    """One dict per occupied cell: ``count``, ``lon``, ``lat`` (the cell's centre, or the point
    when it is alone) and the bounds of its points; with
    ``first={"name": "field"}`` also each field's smallest value (the point itself in a cell
    of one, so single points keep their label), or an aggregate given as it is (``Max(…)``)."""
    size = view.cell
    found = points.order_by()
    if view.bbox is not None:
        # widened to whole cells: a cell the edge cuts still counts all of its points
        west, south, east, north = (
            math.floor(view.bbox[0] / size) * size,
            math.floor(view.bbox[1] / size) * size,
            (math.floor(view.bbox[2] / size) + 1) * size,
            (math.floor(view.bbox[3] / size) + 1) * size,
        )
        found = found.filter(**{f"{lat}__gte": south, f"{lat}__lte": north})
        if view.bbox[0] <= view.bbox[2]:
            found = found.filter(**{f"{lon}__gte": west, f"{lon}__lte": east})
        else:  # the view crosses the antimeridian: west of it, then east of it
            found = found.filter(Q(**{f"{lon}__gte": west}) | Q(**{f"{lon}__lte": east}))
    step = Value(size, output_field=FloatField())
    if view.zoom >= MAX_ZOOM:
        # the closest zoom groups nothing: points at one place can each be reached
        cells = {"cx": F("pk"), "cy": Value(0)}
    else:
        cells = {"cx": Floor(F(lon) / step), "cy": Floor(F(lat) / step)}
    rows = (
        found.annotate(**cells)
        .values("cx", "cy")
        .annotate(
            count=Count("pk"),
            west=Min(lon),
            east=Max(lon),
            south=Min(lat),
            north=Max(lat),
            # under names of their own: an annotation named as a field would hide it
            **{
                f"_{name}": Min(field) if isinstance(field, str) else field
                for name, field in first.items()
            },
        )
        .order_by("cx", "cy")
    )
    found_cells = []
    for row in rows:
        alone = row["count"] == 1
        found_cells.append(
            {
                "count": row["count"],
                "lon": round(row["west"] if alone else (row["cx"] + 0.5) * size, 6),
                "lat": round(row["south"] if alone else (row["cy"] + 0.5) * size, 6),
                "bounds": [row["west"], row["south"], row["east"], row["north"]],
                **{name: row[f"_{name}"] for name in first},
            }
        )
    return found_cells


def extent_of(cells: list[dict[str, Any]]) -> list[float] | None:
    """The bounds of every point counted in ``cells``; None when there are none."""
    if not cells:
        return None
    return [
        min(c["bounds"][0] for c in cells),
        min(c["bounds"][1] for c in cells),
        max(c["bounds"][2] for c in cells),
        max(c["bounds"][3] for c in cells),
    ]


def features_of(
    cells: list[dict[str, Any]],
    alone: Callable[[dict[str, Any]], dict[str, Any]],
    group: Callable[[dict[str, Any]], dict[str, Any]] = lambda cell: {},
) -> list[dict[str, Any]]:
    """GeoJSON point features of grouped cells: a record where it is alone (its ``id`` and the
    properties ``alone`` gives), a group's count and bounds (and ``group``'s) elsewhere."""
    features: list[dict[str, Any]] = []
    for cell in cells:
        point = {"type": "Point", "coordinates": [cell["lon"], cell["lat"]]}
        if cell["count"] == 1:
            properties = {"count": 1, **alone(cell)}
            features.append(
                {"type": "Feature", "id": cell["id"], "geometry": point, "properties": properties}
            )
        else:
            properties = {"count": cell["count"], "bounds": cell["bounds"], **group(cell)}
            features.append({"type": "Feature", "geometry": point, "properties": properties})
    return features


def collection(
    view: View, cells: list[dict[str, Any]], features: list[dict[str, Any]]
) -> dict[str, Any]:
    """The grouped map's answer: its features, the zoom they are for, how many records they
    count and their extent."""
    return {
        "type": "FeatureCollection",
        "zoom": view.zoom,
        "total": sum(c["count"] for c in cells),
        "extent": extent_of(cells),
        "features": features,
    }


def answer(params: Any, build: Callable[[View], dict[str, Any]]) -> JsonResponse:
    """The response of a grouped-map endpoint: ``build(view)`` as GeoJSON, or a 400 that says
    what ``z`` and ``bbox`` must be."""
    try:
        view = read_view(params)
    except BadRequest:
        detail = _("z must be a zoom from 0 to 18, and bbox four numbers: west,south,east,north.")
        return JsonResponse({"detail": detail}, status=400)
    response = JsonResponse(build(view))
    response["Content-Type"] = "application/geo+json"
    return response
