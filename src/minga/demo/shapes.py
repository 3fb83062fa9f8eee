"""Deterministic, plausible demo boundaries with exact geodesic areas."""

from __future__ import annotations

import math
import random
from typing import Any

from shapely.geometry import Polygon

from minga.core.geo import geodesic_hectares, to_geojson


def blob(
    *,
    center: tuple[float, float],
    hectares: float,
    seed: int,
    vertices: int = 48,
    stretch: float = 1.0,
) -> dict[str, Any]:
    """A wobbly polygon around ``center`` (lon, lat) whose geodesic area is ``hectares``."""
    rng = random.Random(seed)
    harmonics = [
        (k, rng.uniform(0.03, 0.12) / k**0.5, rng.uniform(0, 2 * math.pi)) for k in range(2, 7)
    ]
    radii = []
    for i in range(vertices):
        a = 2 * math.pi * i / vertices
        r = 1 + sum(amp * math.sin(k * a + phase) for k, amp, phase in harmonics)
        radii.append((a, r))
    lon0, lat0 = center
    scale = 0.5
    for _ in range(4):
        coords = [
            (
                lon0 + scale * stretch * r * math.cos(a) / math.cos(math.radians(lat0)),
                lat0 + scale * r * math.sin(a),
            )
            for a, r in radii
        ]
        polygon = Polygon(coords)
        scale *= math.sqrt(hectares / geodesic_hectares(polygon))
    rounded = Polygon([(round(x, 5), round(y, 5)) for x, y in polygon.exterior.coords])
    return to_geojson(rounded)


ECUADOR_AMAZON = {
    "type": "Polygon",
    "coordinates": [
        [
            [-78.95, 0.65],
            [-77.40, 0.85],
            [-75.25, 0.35],
            [-75.20, -1.50],
            [-76.30, -2.30],
            [-76.90, -2.95],
            [-77.90, -3.90],
            [-78.40, -4.95],
            [-79.10, -4.75],
            [-78.85, -2.80],
            [-78.40, -1.20],
            [-78.95, 0.65],
        ]
    ],
}
