"""Resource alignment, pure: overlapping initiatives and gaps in what the table covers.

Two initiatives *overlap* when they work on the same axis, their places intersect (points count
with a buffer of ``reach_deg``, about 2 km at the equator) and their dates overlap. A *gap* is an
objective or priority no initiative serves, or a part of the territory where no initiative of an
axis reaches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shapely import STRtree, unary_union
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

REACH_DEG = 0.018


@dataclass(frozen=True)
class Item:
    id: str
    axis: str | None
    geometry: BaseGeometry | None
    starts: dt.date
    ends: dt.date


def footprint(geometry: BaseGeometry, reach_deg: float = REACH_DEG) -> BaseGeometry:
    return geometry.buffer(reach_deg) if isinstance(geometry, Point) else geometry


def overlaps(items: Sequence[Item], reach_deg: float = REACH_DEG) -> list[tuple[str, str]]:
    """Pairs (id, id), sorted, of initiatives on the same axis, place and time."""
    placed = [i for i in items if i.geometry is not None and i.axis is not None]
    shapes = [footprint(i.geometry, reach_deg) for i in placed if i.geometry is not None]
    tree = STRtree(shapes)
    pairs: set[tuple[str, str]] = set()
    for index, item in enumerate(placed):
        for other_index in tree.query(shapes[index], predicate="intersects"):
            other = placed[int(other_index)]
            if other.id == item.id or other.axis != item.axis:
                continue
            if item.starts <= other.ends and other.starts <= item.ends:
                a, b = sorted((item.id, other.id))
                pairs.add((a, b))
    return sorted(pairs)


def unserved(wanted: Iterable[str], served: Iterable[Iterable[str]]) -> list[str]:
    """The objectives or priorities (ids) that no initiative names."""
    covered = {x for group in served for x in group}
    return sorted(set(wanted) - covered)


def uncovered(
    territory: BaseGeometry, items: Sequence[Item], axis: str, reach_deg: float = REACH_DEG
) -> tuple[BaseGeometry, float]:
    """The part of the territory no initiative of ``axis`` reaches, and its share of the area."""
    shapes = [
        footprint(i.geometry, reach_deg) for i in items if i.axis == axis and i.geometry is not None
    ]
    rest = territory.difference(unary_union(shapes)) if shapes else territory
    share = rest.area / territory.area if territory.area else 0.0
    return rest, share
