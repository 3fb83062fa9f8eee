"""Geometry: GeoJSON (RFC 7946) in, validated with shapely, geodesic hectares with pyproj.

Invalid geometry is refused with a message that says where it breaks; minga never repairs a
boundary silently, because a "repaired" territory is a different territory.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from pyproj import Geod
from shapely import is_valid_reason
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

_GEOD = Geod(ellps="WGS84")
AREA_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry that cannot be accepted; ``message`` is translated at display time."""

    def __init__(self, message: Any, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(str(message) % params if params else str(message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def _check_position(pos: Any) -> None:
    if not isinstance(pos, list | tuple) or len(pos) < 2:
        raise GeometryError(_("A position must be a list of longitude and latitude."))
    if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in pos):
        raise GeometryError(_("Coordinates must be numbers."))
    lon, lat = pos[0], pos[1]
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError(_("Coordinates must be finite numbers."))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeometryError(
            _(
                "Coordinate (%(lon)s, %(lat)s) is outside longitude -180..180 / latitude -90..90:"
                " GeoJSON is longitude first, in WGS 84 degrees."
            ),
            lon=lon,
            lat=lat,
        )


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list | tuple) or len(ring) < 4:
        raise GeometryError(_("A polygon ring needs at least four positions."))
    for pos in ring:
        _check_position(pos)
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(_("A polygon ring must end where it starts (RFC 7946 §3.1.6)."))


def _geometry_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise GeometryError(_("GeoJSON must be an object."))
    kind = data.get("type")
    if kind == "Feature":
        return _geometry_object(data.get("geometry"))
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise GeometryError(_("The FeatureCollection has no features."))
        polygons: list[Any] = []
        for feature in features:
            geom = _geometry_object(feature)
            if geom.get("type") == "Polygon":
                polygons.append(geom.get("coordinates"))
            elif geom.get("type") == "MultiPolygon" and isinstance(geom.get("coordinates"), list):
                polygons.extend(geom["coordinates"])
            else:
                raise GeometryError(
                    _("Only Polygon and MultiPolygon areas are accepted, not %(type)s."),
                    type=str(geom.get("type")),
                )
        return {"type": "MultiPolygon", "coordinates": polygons}
    if not isinstance(kind, str):
        raise GeometryError(_("GeoJSON needs a type."))
    return data


def parse_area(data: str | bytes | dict[str, Any]) -> BaseGeometry:
    """Parse a GeoJSON Polygon/MultiPolygon (bare, Feature or FeatureCollection) and validate it."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise GeometryError(_("This is not valid JSON.")) from None
    geom = _geometry_object(data)
    kind = geom.get("type")
    if kind not in AREA_TYPES:
        raise GeometryError(
            _("Only Polygon and MultiPolygon areas are accepted, not %(type)s."), type=str(kind)
        )
    coords = geom.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list | tuple) or not polygons:
        raise GeometryError(_("The geometry has no coordinates."))
    for polygon in polygons:
        if not isinstance(polygon, list | tuple) or not polygon:
            raise GeometryError(_("A polygon needs at least one ring."))
        for ring in polygon:
            _check_ring(ring)
    result = shape(geom)
    if not result.is_valid:
        raise GeometryError(
            _("The geometry is not valid (%(reason)s). Fix it in your GIS and upload it again."),
            reason=is_valid_reason(result),
        )
    if result.is_empty or result.area == 0:
        raise GeometryError(_("The area is empty."))
    return result


def normalized(geom: BaseGeometry) -> BaseGeometry:
    """Counter-clockwise exterior rings, as RFC 7946 §3.1.6 asks of writers."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    return geom


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A plain-JSON GeoJSON geometry (lists, not tuples), exterior rings counter-clockwise."""
    result: dict[str, Any] = json.loads(json.dumps(mapping(normalized(geom))))
    return result


def geodesic_hectares(geom: BaseGeometry) -> float:
    """Area on the WGS 84 ellipsoid, in hectares (pyproj Geod, Karney's algorithm)."""
    area, _perimeter = _GEOD.geometry_area_perimeter(normalized(geom))
    return abs(area) / 10_000


def covered_by(inner: BaseGeometry, outer: BaseGeometry, *, tolerance_deg: float = 1e-6) -> bool:
    return bool(inner.difference(outer.buffer(tolerance_deg)).is_empty)


class AreaModel(models.Model):
    """Abstract: a GeoJSON area with its geodesic hectares and an indexed bounding box."""

    geometry = models.JSONField(_("geometry"))
    hectares = models.DecimalField(_("hectares"), max_digits=14, decimal_places=2)
    west = models.FloatField(editable=False)
    south = models.FloatField(editable=False)
    east = models.FloatField(editable=False)
    north = models.FloatField(editable=False)

    class Meta:
        abstract = True

    def set_area(self, geom: BaseGeometry) -> None:
        self.geometry = to_geojson(geom)
        self.hectares = Decimal(f"{geodesic_hectares(geom):.2f}")
        self.west, self.south, self.east, self.north = (float(v) for v in geom.bounds)

    @property
    def shape(self) -> BaseGeometry:
        return shape(self.geometry)


def parse_place(data: str | bytes | dict[str, Any]) -> BaseGeometry:
    """A Point or an area (Polygon/MultiPolygon), validated like ``parse_area``."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise GeometryError(_("This is not valid JSON.")) from None
    geom = _geometry_object(data)
    if geom.get("type") == "Point":
        _check_position(geom.get("coordinates"))
        return shape(geom)
    return parse_area(geom)
