"""Server-rendered SVG outlines: the map for browsers without JavaScript (and its first paint)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry


def _rings(geom: BaseGeometry) -> Iterable[list[tuple[float, float]]]:
    polygons = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    for polygon in polygons:
        if isinstance(polygon, Polygon):
            yield list(polygon.exterior.coords)
            for interior in polygon.interiors:
                yield list(interior.coords)


def outline_svg(
    shapes: list[tuple[BaseGeometry, str]],
    *,
    context: list[tuple[BaseGeometry, str]] | None = None,
    width: int = 600,
    height: int = 400,
    title: str = "",
    points: list[tuple[float, float, str]] | None = None,
) -> SafeString:
    """An equirectangular SVG of the shapes, fitted to the box, simplified to about one pixel.

    ``context`` shapes (a region around its tables) are drawn first and fainter; ``points``
    (lon, lat, label), such as hotspots, last, as dots."""
    context = context or []
    points = points or []
    everything = context + shapes + [(Point(x, y), label) for x, y, label in points]
    if not everything:
        return mark_safe("")
    west = min(g.bounds[0] for g, _ in everything)
    south = min(g.bounds[1] for g, _ in everything)
    east = max(g.bounds[2] for g, _ in everything)
    north = max(g.bounds[3] for g, _ in everything)
    kx = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * kx, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = 0.92 * min(width / span_x, height / span_y)
    ox = (width - span_x * scale) / 2
    oy = (height - span_y * scale) / 2
    tolerance = 1 / scale
    paths = []
    for index, (geom, label) in enumerate(context + shapes):
        css = ' class="context"' if index < len(context) else ""
        d = []
        for ring in _rings(geom.simplify(tolerance, preserve_topology=True)):
            pts = [
                f"{ox + (x - west) * kx * scale:.1f} {oy + (north - y) * scale:.1f}"
                for x, y, *_ in ring
            ]
            d.append("M" + "L".join(pts) + "Z")
        paths.append(f'<path{css} d="{"".join(d)}"><title>{escape(label)}</title></path>')
    for x, y, label in points:
        paths.append(
            f'<circle class="point" cx="{ox + (x - west) * kx * scale:.1f}" '
            f'cy="{oy + (north - y) * scale:.1f}" r="4"><title>{escape(label)}</title></circle>'
        )
    return mark_safe(  # noqa: S308 - built only from numbers and escaped labels
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        + "".join(paths)
        + "</svg>"
    )
